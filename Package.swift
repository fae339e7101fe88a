// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Thumbprint",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "thumbprint", targets: ["thumbprint"]),
        .library(name: "Certificates", targets: ["Certificates"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // The only code that reaches into BoringSSL (swift-crypto's copy): PKCS#12 decryption
        // (RC2, 3DES, AES) and 3DES-CBC encryption, which swift-crypto's API does not offer.
        .target(
            name: "BoringSSLShims",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")]
        ),
        .target(
            name: "Certificates",
            dependencies: [
                "BoringSSLShims",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ]
        ),
        .executableTarget(
            name: "thumbprint",
            dependencies: [
                "Certificates",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Fixtures, temporary folders and a process runner shared by the test targets.
        .target(
            name: "TestSupport",
            dependencies: ["Certificates"],
            path: "Tests/TestSupport"
        ),
        .testTarget(
            name: "CertificatesTests",
            dependencies: ["Certificates", "BoringSSLShims", "TestSupport"]
        ),
        // Runs the real tools against our files: openssl, keytool, Python `cryptography`,
        // and the built `thumbprint` executable.
        .testTarget(
            name: "InteropTests",
            dependencies: ["Certificates", "TestSupport"]
        ),
    ]
)
