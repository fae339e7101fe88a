import ArgumentParser
import AsyncHTTPClient
import Certificates
import Foundation
import GRDB
import NIOCore
import NIOHTTP1
import NIOSSL
import Storage

/// Load generator and seeder for `scripts/bench-api.sh`.
@main
struct APILoad: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "thumbprint-api-load",
        abstract: "Measure authenticated GET requests per second (keep-alive) and mutual-TLS handshakes per second.",
        subcommands: [Run.self, Seed.self]
    )
}

/// `run`: sends GET requests for a fixed time and prints one JSON line of results.
struct Run: AsyncParsableCommand {
    @Option(help: "The URL to GET.") var url: String
    @Option(help: "CA certificate (PEM) to trust the server with.") var ca: String
    @Option(help: "Client certificate and PKCS#8 key (PEM).") var cert: String
    @Option(help: "keepalive: reuse connections; handshake: a new TLS connection per request.") var mode: String = "keepalive"
    @Option(help: "Concurrent requests.") var concurrency = 16
    @Option(help: "Seconds to run (after one second of warm-up).") var seconds = 5.0
    @Option(help: "A name for the JSON line.") var label = ""

    func run() async throws {
        let identity = try PEMReader.read(CertificateFile.readLimited(path: cert))
        let authority = try PEMReader.read(CertificateFile.readLimited(path: ca))
        guard let key = identity.privateKey else { throw ValidationError("--cert needs the private key in the same PEM file") }
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates([try NIOSSLCertificate(bytes: authority.certificate.der, format: .der)])
        tls.certificateChain = [.certificate(try NIOSSLCertificate(bytes: identity.certificate.der, format: .der))]
        tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: Array(key.pkcs8PEM.utf8), format: .pem))
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = concurrency
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let closeEach = mode == "handshake"
        let url = self.url
        let bound = max(1, concurrency)

        func drive(for duration: Double) async -> (latencies: [Double], errors: Int) {
            let end = ContinuousClock.now + .milliseconds(Int(duration * 1000))
            return await withTaskGroup(of: ([Double], Int).self) { group in
                for _ in 0..<bound {
                    group.addTask {
                        var latencies: [Double] = []
                        var errors = 0
                        while ContinuousClock.now < end {
                            var request = HTTPClientRequest(url: url)
                            request.headers.add(name: "x-ms-version", value: "2014-10-01")
                            if closeEach { request.headers.add(name: "Connection", value: "close") }
                            let start = ContinuousClock.now
                            do {
                                let response = try await client.execute(request, timeout: .seconds(30))
                                _ = try await response.body.collect(upTo: 1 << 20)
                                if response.status == .ok { latencies.append((ContinuousClock.now - start).seconds) } else { errors += 1 }
                            } catch {
                                errors += 1
                            }
                        }
                        return (latencies, errors)
                    }
                }
                var all: [Double] = []
                var errors = 0
                for await (latencies, failed) in group {
                    all += latencies
                    errors += failed
                }
                return (all, errors)
            }
        }

        _ = await drive(for: 1)
        let started = ContinuousClock.now
        let (latencies, errors) = await drive(for: seconds)
        let elapsed = (ContinuousClock.now - started).seconds
        try await client.shutdown()
        let sorted = latencies.sorted()
        func percentile(_ p: Double) -> Double { sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] * 1000 }
        let result: [String: Any] = [
            "label": label, "mode": mode, "concurrency": concurrency, "requests": sorted.count, "errors": errors,
            "seconds": elapsed, "perSecond": Double(sorted.count) / elapsed,
            "p50ms": percentile(0.50), "p99ms": percentile(0.99),
        ]
        print(String(decoding: try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys]), as: UTF8.self))
    }
}

/// `seed`: fills a server's database with subscriptions and management certificates, in one
/// transaction, for the authentication-scaling run.
struct Seed: ParsableCommand {
    @Option(help: "The server's database file.") var database: String
    @Option(help: "Subscriptions to create.") var subscriptions = 1000
    @Option(help: "Certificates per subscription.") var perSubscription = 100

    func run() throws {
        _ = try SQLiteManagementStore(path: database)  // creates and migrates the schema
        let queue = try DatabaseQueue(path: database)
        let now = Date().timeIntervalSince1970
        var generator = SystemRandomNumberGenerator()
        try queue.write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO users (email, created_at) VALUES ('bench@localhost', ?)", arguments: [now])
            for index in 0..<subscriptions {
                let id = UUID().uuidString.lowercased()
                try db.execute(
                    sql: "INSERT INTO subscriptions (id, name, service_admin, created_at) VALUES (?, ?, 'bench@localhost', ?)",
                    arguments: [id, "Bench \(index)", now])
                for _ in 0..<perSubscription {
                    let thumbprint = (0..<20).map { _ in String(format: "%02X", UInt8.random(in: 0...255, using: &generator)) }.joined()
                    try db.execute(
                        sql: """
                            INSERT INTO management_certificates (subscription_id, thumbprint, thumbprint_as_uploaded, public_key, data, created_at, not_after, added_by)
                            VALUES (?, ?, ?, 'seed', 'seed', ?, ?, 'bench@localhost')
                            """, arguments: [id, thumbprint, thumbprint, now, now + 86_400 * 365])
                }
            }
        }
        print("seeded \(subscriptions) subscriptions with \(subscriptions * perSubscription) management certificates")
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
