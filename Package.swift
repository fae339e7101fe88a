// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Thumbprint",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "thumbprint", targets: ["thumbprint"]),
        .executable(name: "thumbprint-server", targets: ["thumbprint-server"]),
        .library(name: "Certificates", targets: ["Certificates"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/vapor/multipart-kit", from: "4.7.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
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
        // Subscriptions, users, management certificates, operations and the audit log:
        // one storage interface, SQLite (the default) or PostgreSQL behind it.
        .target(
            name: "Storage",
            dependencies: [
                "Certificates",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // People's accounts: password hashes (scrypt), the password policy, sign-in with lockout,
        // the optional second factor (TOTP, from HummingbirdOTP) with recovery codes.
        .target(
            name: "Accounts",
            dependencies: [
                "Storage",
                .product(name: "HummingbirdOTP", package: "hummingbird-auth"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        // Reading outside XML safely (no DTDs, no entities, size and depth limits); later the
        // .csdef/.cscfg service model and packages.
        .target(
            name: "ServiceModel",
            dependencies: ["Certificates"]
        ),
        // Service packages: ZIP archives with the definition at any depth, checked before use;
        // where a PackageUrl may point (the packages folder or loopback) and the loopback download.
        .target(
            name: "ServicePackages",
            dependencies: [
                "ServiceModel",
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        // Timeouts and connection caps shared by every listener: the API, load balancers, role instances.
        .target(
            name: "ConnectionLimits",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        // Role instances: simulated VMs with certificate stores in folders, HTTPS endpoints whose
        // certificate switches for new connections, and the loopback load balancer in front.
        .target(
            name: "RoleInstances",
            dependencies: [
                "Certificates", "ConnectionLimits",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        // Deployments: validating and planning them, and running their instances and load balancers.
        .target(
            name: "Deployments",
            dependencies: [
                "Certificates", "ConnectionLimits", "Storage", "ServiceModel", "ServicePackages", "RoleInstances",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The role-instance agent (`thumbprint agent`): runs the instances a server assigns it,
        // behind load balancers of its own, and keeps serving them while no server answers.
        .target(
            name: "Agents",
            dependencies: [
                "Certificates", "ConnectionLimits", "RoleInstances",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The Service Management API's wire format, shared by the server and the command-line
        // client: the Azure XML writer, publish-settings files, request ids, x-ms-version.
        .target(
            name: "WireFormat",
            dependencies: ["Certificates", "ServiceModel"]
        ),
        // The Service Management API: HTTPS with mutual TLS, routes, limits, audit; and on the
        // same listener the portal, server-rendered pages for people who sign in.
        .target(
            name: "ManagementAPI",
            dependencies: [
                "Accounts", "Certificates", "ConnectionLimits", "WireFormat",
                "Storage",
                "ServiceModel",
                "ServicePackages",
                "Deployments",
                "RoleInstances",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                .product(name: "MultipartKit", package: "multipart-kit"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // What both command-line programs share: password sources, terminal I/O, options, exit codes.
        .target(
            name: "CLISupport",
            dependencies: [
                "Certificates",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The certificate command line: small, so that it starts fast.
        .executableTarget(
            name: "thumbprint",
            dependencies: [
                "Certificates", "CLISupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The server, its administration and the API client commands (`thumbprint server` runs it).
        .executableTarget(
            name: "thumbprint-server",
            dependencies: [
                "Certificates", "ConnectionLimits", "CLISupport", "Storage", "ServiceModel", "WireFormat", "ManagementAPI", "Deployments",
                "RoleInstances", "Agents",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The load generator of scripts/bench-api.sh: authenticated requests on keep-alive
        // connections and fresh mutual-TLS handshakes, with latency percentiles.
        .executableTarget(
            name: "thumbprint-api-load",
            dependencies: [
                "Certificates", "Storage",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Benchmarks/APILoad"
        ),
        // Fixtures, temporary folders and a process runner shared by the test targets.
        .target(
            name: "TestSupport",
            dependencies: ["Certificates"],
            path: "Tests/TestSupport"
        ),
        .testTarget(
            name: "CertificatesTests",
            dependencies: [
                "Certificates", "BoringSSLShims", "TestSupport", .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "ServiceModelTests",
            dependencies: [
                "ServiceModel", "Certificates", "TestSupport", .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "ServicePackagesTests",
            dependencies: [
                "ServicePackages", "ServiceModel", "TestSupport",
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "DeploymentsTests",
            dependencies: [
                "Deployments", "RoleInstances", "Storage", "ServiceModel", "Certificates", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "RoleInstancesTests",
            dependencies: [
                "RoleInstances", "Certificates", "Storage", "TestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "ConnectionLimitsTests",
            dependencies: [
                "ConnectionLimits",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "AccountsTests",
            dependencies: ["Accounts", "Storage", "TestSupport"]
        ),
        .testTarget(
            name: "StorageTests",
            dependencies: ["Storage", "TestSupport"]
        ),
        .testTarget(
            name: "ManagementAPITests",
            dependencies: [
                "ManagementAPI", "WireFormat", "Storage", "TestSupport", "Deployments", "RoleInstances", "ConnectionLimits",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // What each fuzz target checks of an input; the unit tests run it over the corpora.
        .target(
            name: "FuzzChecks",
            dependencies: [
                "Certificates", "ServiceModel", "ServicePackages", "WireFormat", "ManagementAPI", "Storage", "Deployments", "RoleInstances",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Fuzz/Checks"
        ),
        .testTarget(
            name: "FuzzChecksTests",
            dependencies: [
                "FuzzChecks", "Certificates", "TestSupport", "ManagementAPI", .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        // Runs the real tools against our files: openssl, keytool, Python `cryptography`,
        // and the built `thumbprint` executable.
        .testTarget(
            name: "InteropTests",
            dependencies: ["Certificates", "ManagementAPI", "WireFormat", "TestSupport"],
            // The Python clients the tests run; read from the source tree, not built.
            exclude: ["python"]
        ),
    ]
)

// The libFuzzer targets, one per parser (`Fuzz/Targets/NAME`, product `FuzzNAME`): declared only
// for scripts/fuzz.sh (THUMBPRINT_FUZZ=1), since they have no `main` outside a fuzzer build.
if Context.environment["THUMBPRINT_FUZZ"] == "1" {
    for name in ["PKCS12", "DER", "PEM", "PrivateKey", "Thumbprint", "XML", "ServiceModel", "PublishSettings", "ServicePackage", "Router", "APIBodies"] {
        package.targets.append(.executableTarget(name: "Fuzz\(name)", dependencies: ["FuzzChecks"], path: "Fuzz/Targets/\(name)"))
        package.products.append(.executable(name: "Fuzz\(name)", targets: ["Fuzz\(name)"]))
    }
}

// The test command builds the project's own targets with warnings as errors
// (THUMBPRINT_WARNINGS_AS_ERRORS=1 in scripts/test.sh), so that the code stays free of them;
// dependencies are built as they are.
if Context.environment["THUMBPRINT_WARNINGS_AS_ERRORS"] == "1" {
    for target in package.targets {
        target.swiftSettings = (target.swiftSettings ?? []) + [.unsafeFlags(["-warnings-as-errors"])]
    }
}
