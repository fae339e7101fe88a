import Accounts
import Hummingbird
import Storage

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Two-step sign-in: turning it on from the profile (QR code, first code, recovery codes shown
/// once), the code page after the password, and turning it off with a code.
struct PortalSecondFactorRoutes: Sendable {
    let portal: Portal

    func register(on router: Router<PortalRequestContext>) {
        router.get("sign-in/code") { _, context in
            guard let session = context.session, session.secondFactorPending else { throw PortalRedirect(to: "/sign-in") }
            return await portal.pages.page("code", title: "Two-step sign-in", session: session)
        }
        router.post("sign-in/code") { request, context in try await verify(request, context: context) }
        router.post("profile/second-factor") { _, context in
            let session = try context.requireSession()
            let (link, key) = try await portal.secondFactor.begin(for: session.user)
            let code = try QRCode(Array(link.utf8))
            let values: [String: Any] = [
                "qr": Data(code.svg().utf8).base64EncodedString(), "qrSize": (code.size + 8) * 6, "key": key,
            ]
            return await portal.pages.page("second-factor", title: "Turn on two-step sign-in", values: values, session: session)
        }
        router.post("profile/second-factor/confirm") { _, context in
            let session = try context.requireSession()
            guard let codes = try await portal.secondFactor.confirm(code: context.form["code"], for: session.user) else {
                throw PortalRefusal(.badRequest, "That code is not the one the app shows now; nothing was turned on. Start again from your profile.")
            }
            await portal.audit("EnableSecondFactor", target: "users/\(session.user)", subscription: nil, user: session.user)
            return await portal.pages.page("recovery-codes", title: "Your recovery codes", values: ["codes": codes], session: session)
        }
        router.post("profile/second-factor/off") { _, context -> Response in
            let session = try context.requireSession()
            guard try await portal.secondFactor.verify(context.form["code"], for: session.user) else {
                throw PortalRefusal(.badRequest, "That code is not right; two-step sign-in stays on.")
            }
            try await portal.secondFactor.turnOff(for: session.user)
            await portal.audit("DisableSecondFactor", target: "users/\(session.user)", subscription: nil, user: session.user)
            throw PortalRedirect(to: "/profile")
        }
    }

    /// The code after the password: failures count toward the account's lockout.
    func verify(_ request: Request, context: PortalRequestContext) async throws -> Response {
        guard let session = context.session, session.secondFactorPending else {
            throw PortalRedirect(to: "/sign-in")
        }
        let user = session.user
        if try await portal.store.failedSignIns(of: user, since: portal.now().addingTimeInterval(-SignIn.window)) >= SignIn.maximumFailures {
            return await portal.pages.page(
                "code", title: "Two-step sign-in", session: session,
                alert: Portal.lockedMessage,
                status: .tooManyRequests)
        }
        guard try await portal.secondFactor.verify(context.form["code"], for: user) else {
            try await portal.store.recordFailedSignIn(of: user, at: portal.now())
            return await portal.pages.page("code", title: "Two-step sign-in", session: session, alert: "That code is not right.", status: .unauthorized)
        }
        try await portal.store.clearFailedSignIns(of: user)
        try await portal.sessions.begin(for: user, request: request, context: context)
        await portal.audit("SignIn", target: "users/\(user)", subscription: nil, user: user)
        return Response(status: .seeOther, headers: [.location: "/"])
    }
}
