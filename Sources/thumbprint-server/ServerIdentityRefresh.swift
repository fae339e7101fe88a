import Certificates
import Logging
import ManagementAPI
import ServiceLifecycle
import Storage

/// Keeps the server's own certificate current while it runs: every few seconds it reads the
/// CAs (a rotation's switch) and the data folder's `tls/` files (`thumbprint admin tls renew`),
/// issues or loads what is due, and has new connections served the result. `tls/ca.pem` holds
/// every CA clients should trust at the time.
struct ServerIdentityRefresh: Service {
    let serving: ServingIdentity
    let store: any ManagementStore
    let folder: String
    let hostnames: [String]
    let masterKey: MasterKey
    let logger: Logger
    var interval: Duration = .seconds(2)

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                guard !Task.isCancelled else { return }
                await refresh()
            }
        }
    }

    /// One look: serves a different certificate when the folder or the CAs call for one.
    func refresh() async {
        do {
            let authorities = try await SharedCertificateAuthority.authorities(store: store, dataDirectory: folder, sealing: masterKey)
            let made = try ServerIdentity.loadOrCreate(
                dataDirectory: folder, hostnames: hostnames, sealing: masterKey, authority: authorities.issuer, alsoTrusted: authorities.alsoTrusted)
            guard made.server.certificate != serving.bundle.certificate else { return }
            try serving.replace(with: made.server)
            logger.notice(
                "new connections are served the certificate \(made.server.thumbprint) from \(made.server.certificate.issuer), valid until \(UTCCalendar.iso8601(made.server.certificate.notAfter))"
            )
        } catch {
            logger.warning("the server's certificate could not be refreshed: \(error)")
        }
    }
}
