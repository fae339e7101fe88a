import Accounts
import Hummingbird
import Storage

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Signing in and out, invitations and the profile page.
struct PortalAccountRoutes: Sendable {
    let portal: Portal

    func register(on router: Router<PortalRequestContext>) {
        router.get("sign-in") { request, context in
            if context.session != nil { throw PortalRedirect(to: "/") }
            let notice = request.uri.queryParameters.get("done") == "password" ? "Your password is set: sign in with it." : nil
            return await portal.pages.page("sign-in", title: "Sign in", session: nil, notice: notice)
        }
        router.post("sign-in") { request, context in try await signIn(request, context: context) }
        router.post("sign-out") { _, context in
            // Ended on the server (the session middleware removes it) and the cookie expired.
            context.sessions.clearSession()
            return Response(status: .seeOther, headers: [.location: "/sign-in"])
        }
        router.get("invitation/:token") { _, context in
            let (token, email) = try await invitation(context)
            return await portal.pages.page(
                "invitation", title: "Choose a password", values: ["email": email.rawValue, "token": token.text], session: context.session)
        }
        router.post("invitation/:token") { _, context in try await redeem(context) }
        router.get("profile") { _, context in try await profile(context) }
        router.post("profile/password") { _, context in try await changePassword(context) }
        router.post("profile/sign-out-everywhere") { _, context in
            let session = try context.requireSession()
            _ = try await portal.sessions.endAll(of: session.user, context: context)
            await portal.audit("SignOutEverywhere", target: "users/\(session.user)", subscription: nil, user: session.user)
            return Response(status: .seeOther, headers: [.location: "/sign-in"])
        }
    }

    func profile(_ context: PortalRequestContext, alert: String? = nil) async throws -> Response {
        let session = try context.requireSession()
        let count = try await portal.store.sessionCount(of: session.user, at: portal.now())
        let factor = try await portal.store.secondFactor(of: session.user)
        let values: [String: Any] = [
            "sessionCount": count, "secondFactorOn": factor?.enabledAt != nil, "secondFactorSince": factor?.enabledAt.map(Portal.day) ?? "",
            "recoveryCodesLeft": factor?.recoveryCodesLeft ?? 0,
        ]
        return await portal.pages.page(
            "profile", title: "Your profile", values: values, session: session, alert: alert, status: alert == nil ? .ok : .badRequest)
    }

    /// One password hash per attempt whatever the outcome; a new session id on success.
    func signIn(_ request: Request, context: PortalRequestContext) async throws -> Response {
        let email = context.form["email"]
        switch try await portal.signIn.attempt(address: email, password: context.form.fields["password"] ?? "") {
        case .signedIn(let user):
            if try await portal.secondFactor.isEnabled(for: user) {
                try await portal.sessions.begin(for: user, secondFactorPending: true, request: request, context: context)
                return Response(status: .seeOther, headers: [.location: "/sign-in/code"])
            }
            try await portal.sessions.begin(for: user, request: request, context: context)
            await portal.audit("SignIn", target: "users/\(user)", subscription: nil, user: user)
            return Response(status: .seeOther, headers: [.location: "/"])
        case .refused:
            return await portal.pages.page(
                "sign-in", title: "Sign in", values: ["email": email], session: nil, alert: "The email or the password is wrong.", status: .unauthorized)
        case .locked:
            return await portal.pages.page(
                "sign-in", title: "Sign in", values: ["email": email], session: nil,
                alert: Portal.lockedMessage,
                status: .tooManyRequests)
        }
    }

    /// The invitation the path's token names; a 404 page when it is unknown, used or expired.
    func invitation(_ context: PortalRequestContext) async throws -> (SecretToken, EmailAddress) {
        guard let token = SecretToken(presented: try context.parameters.require("token")),
            let email = try await portal.store.invitation(tokenHash: token.hashed, at: portal.now())
        else {
            throw PortalRefusal(
                .notFound,
                "This invitation link cannot be used: it was used already, it is more than 24 hours old, or it was copied wrong. Ask an administrator for a new one (`thumbprint admin user invite`)."
            )
        }
        return (token, email)
    }

    func redeem(_ context: PortalRequestContext) async throws -> Response {
        let (token, email) = try await invitation(context)
        let password = context.form.fields["password"] ?? ""
        let problem =
            PasswordPolicy.problem(with: password).map { "\($0)." } ?? (password == context.form.fields["confirm"] ? nil : "The two passwords differ.")
        if let problem {
            return await portal.pages.page(
                "invitation", title: "Choose a password", values: ["email": email.rawValue, "token": token.text], session: nil,
                alert: problem, status: .badRequest)
        }
        let hash = try await BackgroundWork.passwords.run { try PasswordHash.make(password).description }
        guard try await portal.store.redeemInvitation(tokenHash: token.hashed, passwordHash: hash, at: portal.now()) != nil else {
            throw PortalRefusal(.notFound, "This invitation link was used a moment ago; ask an administrator for a new one.")
        }
        _ = try await portal.store.deleteSessions(of: email)
        await portal.audit("SetUserPassword", target: "users/\(email)", subscription: nil, user: email)
        return Response(status: .seeOther, headers: [.location: "/sign-in?done=password"])
    }

    /// A new password needs the current one; every session of the user ends, this one included.
    func changePassword(_ context: PortalRequestContext) async throws -> Response {
        let session = try context.requireSession()
        let current = try await portal.store.passwordHash(of: session.user).flatMap(PasswordHash.init)
        let new = context.form.fields["password"] ?? ""
        var problem: String?
        let given = context.form.fields["current"] ?? ""
        if try await BackgroundWork.passwords.run({ current?.matches(given) }) != true {
            problem = "The current password is wrong; nothing was changed."
        } else if let weak = PasswordPolicy.problem(with: new) {
            problem = "\(weak); nothing was changed."
        }
        if let problem { return try await profile(context, alert: problem) }
        let hash = try await BackgroundWork.passwords.run { try PasswordHash.make(new).description }
        try await portal.store.setPasswordHash(hash, for: session.user, at: portal.now())
        _ = try await portal.sessions.endAll(of: session.user, context: context)
        await portal.audit("SetUserPassword", target: "users/\(session.user)", subscription: nil, user: session.user)
        return Response(status: .seeOther, headers: [.location: "/sign-in?done=password"])
    }
}
