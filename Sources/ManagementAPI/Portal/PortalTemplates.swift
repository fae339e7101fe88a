/// The portal's templates (Mustache: `{{name}}` is HTML-escaped, `{{{body}}}` only ever takes a
/// page this file rendered). No script anywhere: every page works without JavaScript.
enum PortalTemplates {
    static let all: [String: String] = [
        "layout": layout, "sign-in": signIn, "invitation": invitation, "home": home, "subscription": subscription,
        "service": service, "deployment": deployment, "renew": renew, "expiring": expiring, "profile": profile, "error": error, "confirm": confirm,
        "code": code, "second-factor": secondFactor, "recovery-codes": recoveryCodes,
    ]

    static let layout = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        {{#refresh}}<meta http-equiv="refresh" content="{{refresh}}">{{/refresh}}
        <title>{{title}} · Thumbprint</title><link rel="stylesheet" href="/portal.css"></head>
        <body><header><a href="/" class="brand">Thumbprint</a>
        {{#user}}<nav aria-label="Main"><a href="/">Subscriptions</a> <a href="/expiring">Expiring certificates</a> <a href="/profile">{{user}}</a>
        <form method="post" action="/sign-out" class="inline"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit">Sign out</button></form></nav>{{/user}}
        </header><main><h1>{{title}}</h1>
        {{#notice}}<p class="notice" role="status">{{notice}}</p>{{/notice}}
        {{#alert}}<p class="alert" role="alert">{{alert}}</p>{{/alert}}
        {{{body}}}</main></body></html>
        """

    static let signIn = """
        <form method="post" action="/sign-in">
        <label for="email">Email</label><input id="email" name="email" type="email" autocomplete="username" required value="{{email}}">
        <label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
        <button type="submit">Sign in</button></form>
        """

    static let invitation = """
        <p>Choose a password for <strong>{{email}}</strong>: at least 12 characters.</p>
        <form method="post" action="/invitation/{{token}}">
        <label for="password">Password</label><input id="password" name="password" type="password" autocomplete="new-password" required minlength="12">
        <label for="confirm">Confirm password</label><input id="confirm" name="confirm" type="password" autocomplete="new-password" required minlength="12">
        <button type="submit">Set password</button></form>
        """

    static let home = """
        {{#hasExpiring}}<p><a href="/expiring">{{expiringCount}} certificate(s) expire within 30 days or have expired.</a></p>{{/hasExpiring}}
        <table><caption>Your subscriptions</caption><thead><tr><th scope="col">Name</th><th scope="col">Subscription id</th><th scope="col">Your role</th></tr></thead><tbody>
        {{#subscriptions}}<tr><td><a href="/subscriptions/{{id}}">{{name}}</a></td><td><code>{{id}}</code></td><td>{{role}}</td></tr>{{/subscriptions}}
        {{^subscriptions}}<tr><td colspan="3">You have no role on any subscription yet; ask its service administrator.</td></tr>{{/subscriptions}}
        </tbody></table>
        """

    static let certificateRows = """
        {{#certificates}}<tr{{#soon}} class="soon"{{/soon}}><td><code>{{thumbprint}}</code></td><td>{{subject}}</td><td>{{expires}} ({{daysLeft}} days)</td><td>{{extra}}</td>
        <td>{{#canDelete}}<form method="post" action="{{deleteAction}}"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="thumbprint" value="{{thumbprint}}"><button type="submit">Delete</button></form>{{/canDelete}}</td></tr>{{/certificates}}
        """

    static let subscription = """
        <p>Your role: <strong>{{role}}</strong>.{{#hasExpiring}} <a href="/expiring">{{expiringCount}} certificate(s) expire within 30 days or have expired.</a>{{/hasExpiring}}</p>
        <h2>Cloud services</h2>
        <table><thead><tr><th scope="col">Name</th><th scope="col">Location</th></tr></thead><tbody>
        {{#services}}<tr><td><a href="/subscriptions/{{subscription}}/services/{{name}}">{{name}}</a></td><td>{{location}}</td></tr>{{/services}}
        {{^services}}<tr><td colspan="2">No cloud services.</td></tr>{{/services}}</tbody></table>
        {{#canManageServices}}<form method="post" action="/subscriptions/{{subscription}}/services"><input type="hidden" name="csrf" value="{{csrf}}">
        <label for="service-name">Name</label><input id="service-name" name="name" required maxlength="63" value="{{newServiceName}}">
        <label for="service-label">Label</label><input id="service-label" name="label" maxlength="100" value="{{newServiceLabel}}">
        <label for="service-location">Location</label><select id="service-location" name="location">{{#locations}}<option{{#selected}} selected{{/selected}}>{{name}}</option>{{/locations}}</select>
        <button type="submit">Create cloud service</button></form>{{/canManageServices}}
        <h2>Management certificates</h2>
        <p>{{managementCount}} of {{managementLimit}} used on this subscription.{{#limitReached}} The limit is reached: delete a certificate no longer used, or ask a co-administrator to add it: each user id may add 100 of its own.{{/limitReached}}</p>
        <table><thead><tr><th scope="col">Thumbprint</th><th scope="col">Subject</th><th scope="col">Expires</th><th scope="col">Added by</th><th scope="col">Action</th></tr></thead><tbody>
        \(certificateRows)</tbody></table>
        {{#canManageManagement}}<form method="post" action="/subscriptions/{{subscription}}/management-certificates" enctype="multipart/form-data">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <label for="cer">Certificate file</label><input id="cer" name="certificate" type="file" accept=".cer,.crt,.pem" required>
        <button type="submit">Upload</button></form>{{/canManageManagement}}
        <h2>Users and roles</h2>
        <table><caption>Users and their roles</caption><thead><tr><th scope="col">User</th><th scope="col">Role</th><th scope="col">Action</th></tr></thead><tbody>
        {{#members}}<tr><td>{{user}}</td><td>{{role}}</td><td>{{#changeable}}<form method="post" action="/subscriptions/{{subscription}}/users" class="row">
        <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="email" value="{{user}}">
        <label for="role-{{index}}">Role</label><select id="role-{{index}}" name="role">{{#roles}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{name}}</option>{{/roles}}</select>
        <button type="submit">Change role</button></form>
        <form method="post" action="/subscriptions/{{subscription}}/users/remove"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="email" value="{{user}}"><button type="submit">Remove</button></form>{{/changeable}}</td></tr>{{/members}}</tbody></table>
        {{#canManageUsers}}<form method="post" action="/subscriptions/{{subscription}}/users"><input type="hidden" name="csrf" value="{{csrf}}">
        <label for="new-user">Email</label><input id="new-user" name="email" type="email" required value="{{newUserEmail}}">
        <label for="new-role">Role</label><select id="new-role" name="role">{{#grantable}}<option value="{{value}}">{{name}}</option>{{/grantable}}</select>
        <button type="submit">Add user</button></form>{{/canManageUsers}}
        {{#canManageUsers}}<h2>Webhooks</h2>
        <p>This subscription's certificate events (expiring, expired, renewed, rotated, management certificates added and deleted) are POSTed as JSON to each, signed with its secret.</p>
        <table><caption>Webhooks</caption><thead><tr><th scope="col">URL</th><th scope="col">Added</th><th scope="col">Action</th></tr></thead><tbody>
        {{#webhooks}}<tr><td>{{url}}</td><td>{{added}}</td><td><form method="post" action="/subscriptions/{{subscription}}/webhooks/remove"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="id" value="{{id}}"><button type="submit">Remove</button></form></td></tr>{{/webhooks}}</tbody></table>
        <form method="post" action="/subscriptions/{{subscription}}/webhooks"><input type="hidden" name="csrf" value="{{csrf}}">
        <label for="webhook-url">Webhook URL</label><input id="webhook-url" name="url" type="url" required value="{{newWebhookURL}}">
        <label for="webhook-secret">Secret (16 characters or more; leave empty to have one made and shown once)</label><input id="webhook-secret" name="secret" type="password" autocomplete="off">
        <button type="submit">Add webhook</button></form>{{/canManageUsers}}
        <h2>Audit log</h2>
        <form method="get"><label for="filter-user">User</label><input id="filter-user" name="user" value="{{filterUser}}">
        <label for="filter-operation">Operation</label><input id="filter-operation" name="operation" value="{{filterOperation}}"><button type="submit">Filter</button></form>
        <table><thead><tr><th scope="col">Time</th><th scope="col">User</th><th scope="col">Operation</th><th scope="col">Target</th><th scope="col">Outcome</th></tr></thead><tbody>
        {{#audit}}<tr><td>{{time}}</td><td>{{user}}</td><td>{{operation}}</td><td>{{target}}</td><td>{{outcome}}</td></tr>{{/audit}}</tbody></table>
        """

    static let service = """
        <p><a href="/subscriptions/{{subscription}}">Back to the subscription</a></p>
        {{#canManageServices}}<form method="post" action="/subscriptions/{{subscription}}/services/{{service}}/delete"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit">Delete cloud service</button></form>{{/canManageServices}}
        <h2>Deployments</h2>
        <table><thead><tr><th scope="col">Slot</th><th scope="col">Name</th><th scope="col">Status</th></tr></thead><tbody>
        {{#deployments}}<tr><td><a href="/subscriptions/{{subscription}}/services/{{service}}/deployments/{{slot}}">{{slot}}</a></td><td>{{name}}</td><td>{{status}}</td></tr>{{/deployments}}
        {{^deployments}}<tr><td colspan="3">No deployments.</td></tr>{{/deployments}}</tbody></table>
        <h2>Certificates</h2>
        <table><thead><tr><th scope="col">Thumbprint</th><th scope="col">Subject</th><th scope="col">Expires</th><th scope="col">Used by</th><th scope="col">Action</th></tr></thead><tbody>
        \(certificateRows)</tbody></table>
        {{#canManageCertificates}}<form method="post" action="/subscriptions/{{subscription}}/services/{{service}}/certificates" enctype="multipart/form-data">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <label for="file">Certificate file</label><input id="file" name="certificate" type="file" accept=".pfx,.p12,.cer,.crt" required>
        <label for="pfx-password">Certificate password</label><input id="pfx-password" name="password" type="password" autocomplete="off">
        <button type="submit">Upload</button></form>{{/canManageCertificates}}
        """

    static let deployment = """
        <p><a href="/subscriptions/{{subscription}}/services/{{service}}">Back to {{service}}</a></p>
        <p>Deployment <strong>{{name}}</strong> in {{slot}}: <strong>{{status}}</strong>, at <code>{{url}}</code>.</p>
        {{#hasOperation}}<p role="status">Renewal: {{operation}}</p>{{/hasOperation}}
        <table><caption>Role instances</caption><thead><tr><th scope="col">Instance</th><th scope="col">Role</th><th scope="col">State</th><th scope="col">Endpoints (certificate served now)</th></tr></thead><tbody>
        {{#instances}}<tr><td>{{name}}</td><td>{{role}}</td><td>{{status}}</td><td>{{#endpoints}}{{name}} {{protocolName}}:{{publicPort}}{{#serves}} <code>{{thumbprint}}</code>{{/serves}}<br>{{/endpoints}}</td></tr>{{/instances}}
        </tbody></table>
        {{#canRenew}}<h2>Renew a certificate</h2>
        <form method="post" action="/subscriptions/{{subscription}}/services/{{service}}/deployments/{{slot}}/renew">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <label for="current">Certificate in use</label><select id="current" name="current">{{#inUse}}<option value="{{value}}">{{label}}</option>{{/inUse}}</select>
        <label for="replacement">Thumbprint</label><select id="replacement" name="replacement">{{#uploaded}}<option value="{{thumbprint}}">{{thumbprint}} — {{subject}}, expires {{expires}}</option>{{/uploaded}}</select>
        <button type="submit">Review the change</button></form>{{/canRenew}}
        <h2>Configuration</h2><pre>{{configuration}}</pre>
        """

    static let renew = """
        <p>Deployment <strong>{{name}}</strong> of {{service}}: the configuration changes only here, and no new package is needed.</p>
        <pre class="diff">{{#changes}}{{role}} / {{certificate}}
        - {{old}}
        + {{new}}
        {{/changes}}</pre>
        <form method="post" action="/subscriptions/{{subscription}}/services/{{service}}/deployments/{{slot}}/renew">
        <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="current" value="{{current}}"><input type="hidden" name="replacement" value="{{replacement}}">
        <input type="hidden" name="confirm" value="yes"><button type="submit">Renew</button></form>
        <p><a href="/subscriptions/{{subscription}}/services/{{service}}/deployments/{{slot}}">Cancel</a></p>
        """

    static let expiring = """
        <table><thead><tr><th scope="col">Days left</th><th scope="col">Expires</th><th scope="col">Kind</th><th scope="col">Thumbprint</th><th scope="col">Subject</th><th scope="col">Where</th></tr></thead><tbody>
        {{#certificates}}<tr{{#soon}} class="soon"{{/soon}}><td>{{daysLeft}}</td><td>{{expires}}</td><td>{{kind}}</td><td><code>{{thumbprint}}</code></td><td>{{subject}}</td><td><a href="{{link}}">{{place}}</a></td></tr>{{/certificates}}
        {{^certificates}}<tr><td colspan="6">No certificates.</td></tr>{{/certificates}}</tbody></table>
        """

    static let profile = """
        <h2>Password</h2>
        <form method="post" action="/profile/password"><input type="hidden" name="csrf" value="{{csrf}}">
        <label for="current-password">Current password</label><input id="current-password" name="current" type="password" autocomplete="current-password" required>
        <label for="new-password">New password</label><input id="new-password" name="password" type="password" autocomplete="new-password" required minlength="12">
        <button type="submit">Change password</button></form>
        <h2>Two-step sign-in</h2>
        {{#secondFactorOn}}<p>On since {{secondFactorSince}}: signing in asks for a code from your authenticator app. {{recoveryCodesLeft}} recovery code(s) left.</p>
        <form method="post" action="/profile/second-factor/off"><input type="hidden" name="csrf" value="{{csrf}}">
        <label for="off-code">Code</label><input id="off-code" name="code" inputmode="numeric" autocomplete="one-time-code" required>
        <button type="submit">Turn off two-step sign-in</button></form>{{/secondFactorOn}}
        {{^secondFactorOn}}<p>Off. With it on, signing in also asks for a code from an authenticator app.</p>
        <form method="post" action="/profile/second-factor"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit">Turn on two-step sign-in</button></form>{{/secondFactorOn}}
        <h2>Sessions</h2><p>You are signed in {{sessionCount}} time(s), this browser included, each until 30 minutes without use or 12 hours after signing in. Signing out everywhere ends them all.</p>
        <form method="post" action="/profile/sign-out-everywhere"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit">Sign out everywhere</button></form>
        """

    static let confirm = """
        <p>{{question}}</p>
        <form method="post" action="{{action}}"><input type="hidden" name="csrf" value="{{csrf}}">
        {{#fields}}<input type="hidden" name="{{name}}" value="{{value}}">{{/fields}}<input type="hidden" name="confirm" value="yes">
        <button type="submit">{{button}}</button></form>
        <p><a href="{{back}}">Cancel</a></p>
        """

    static let code = """
        <p>Enter the 6-digit code your authenticator app shows for Thumbprint, or one of your recovery codes.</p>
        <form method="post" action="/sign-in/code"><input type="hidden" name="csrf" value="{{csrf}}">
        <label for="code">Code</label><input id="code" name="code" autocomplete="one-time-code" required autofocus>
        <button type="submit">Verify</button></form>
        """

    static let secondFactor = """
        <p>Scan this QR code with your authenticator app, or type the key into it by hand. Then enter the code it shows.</p>
        <p><img src="data:image/svg+xml;base64,{{qr}}" alt="QR code of the key for your authenticator app" width="{{qrSize}}" height="{{qrSize}}"></p>
        <p>Key: <code id="key">{{key}}</code></p>
        <form method="post" action="/profile/second-factor/confirm"><input type="hidden" name="csrf" value="{{csrf}}">
        <label for="code">Code</label><input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" required>
        <button type="submit">Turn on</button></form>
        """

    static let recoveryCodes = """
        <p>Two-step sign-in is on. Keep these recovery codes somewhere safe: each signs you in once without the app. They are shown only now.</p>
        <ul id="recovery-codes">{{#codes}}<li><code>{{.}}</code></li>{{/codes}}</ul>
        <p><a href="/profile">Back to your profile</a></p>
        """

    static let error = """
        <p><a href="/">Back to your subscriptions</a></p>
        """

    static let stylesheet = """
        body{font-family:system-ui,sans-serif;margin:0;line-height:1.4}header{display:flex;flex-wrap:wrap;gap:1em;align-items:center;padding:.5em 1em;background:#123;color:#fff}
        header a,header button{color:#fff}.brand{font-weight:bold;text-decoration:none}nav{display:flex;flex-wrap:wrap;gap:1em;align-items:center}
        main{padding:1em;max-width:70em}table{border-collapse:collapse;width:100%;margin:.5em 0 1.5em;display:block;overflow-x:auto}
        th,td{border-bottom:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top}code{word-break:break-all}
        label{display:block;margin-top:.5em}input,select{max-width:100%;padding:.3em}button{margin-top:.5em;padding:.4em .8em}
        form.inline{display:inline}td form{display:inline-block;margin-right:.5em}td label{display:inline;margin:0 .3em 0 0}form.inline button{margin:0;background:none;border:1px solid #fff}
        .alert{background:#fdd;border-left:4px solid #c00;padding:.5em}.notice{background:#dfd;border-left:4px solid #080;padding:.5em}
        tr.soon{background:#fff3cd}pre{white-space:pre-wrap;background:#f4f4f4;padding:.5em;overflow-x:auto}
        """
}
