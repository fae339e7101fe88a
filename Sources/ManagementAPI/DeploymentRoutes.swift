import Certificates
import Deployments
import Hummingbird
import ServiceModel
import ServicePackages
import Storage
import WireFormat

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Deployments of a cloud service: Create (by slot), Get (by slot or name), Change Configuration,
/// Update Status and Delete, under `/<subscription>/services/hostedservices/<service>`. The
/// long-running ones answer 202 at once and finish as operations the client polls.
struct DeploymentRoutes: Sendable {
    let store: any ManagementStore
    let runtime: DeploymentRuntime
    let operations: AsyncOperations
    let notifications: Notifications
    var now: @Sendable () -> Date { operations.now }

    func register(on router: some RouterMethods<ManagementRequestContext>) {
        let base = ":subscription/services/hostedservices/:service"
        router.post("\(base)/deploymentslots/:slot") { request, context in
            if request.uri.queryParameters.get("comp") != nil {
                return try await change(request, context: context, deployment: try bySlot(context))
            }
            return try await create(request, context: context)
        }
        router.get("\(base)/deploymentslots/:slot") { _, context in try await get(try bySlot(context)) }
        router.delete("\(base)/deploymentslots/:slot") { request, context in try await delete(request, context: context, deployment: try bySlot(context)) }
        router.get("\(base)/deployments/:deployment") { _, context in try await get(try byName(context)) }
        router.post("\(base)/deployments/:deployment") { request, context in try await change(request, context: context, deployment: try byName(context)) }
        router.delete("\(base)/deployments/:deployment") { request, context in try await delete(request, context: context, deployment: try byName(context)) }
        router.post("\(base)/deployments/:deployment/roleinstances") { request, context in
            try await deleteInstances(request, context: context, deployment: try byName(context))
        }
        router.post("\(base)/deploymentslots/:slot/roleinstances") { request, context in
            try await deleteInstances(request, context: context, deployment: try bySlot(context))
        }
        router.post("\(base)/deployments/:deployment/roleinstances/:instance") { request, context in
            try await restartInstance(request, context: context, deployment: try byName(context))
        }
        router.post("\(base)/deploymentslots/:slot/roleinstances/:instance") { request, context in
            try await restartInstance(request, context: context, deployment: try bySlot(context))
        }
    }

    // MARK: Role instances

    /// Delete Role Instances (`…/roleinstances/?comp=delete`, a `RoleInstances` list of `Name`s): 202.
    func deleteInstances(_ request: Request, context: ManagementRequestContext, deployment: Deployment) async throws -> Response {
        let caller = try context.requireCaller(allowedTo: .manageDeployments)
        guard request.uri.queryParameters.get("comp")?.lowercased() == "delete" else {
            throw APIError.badRequest("Say what to do to the role instances with ?comp=delete.")
        }
        let names = try RoleInstancesBody(try await XMLBody.read(request, root: "RoleInstances")).names
        // Refused at once when it cannot work (checked again in the change's turn).
        let instances = await runtime.view(of: deployment).instances
        if let unknown = names.sorted().first(where: { name in !instances.contains { $0.name == name } }) {
            throw APIError(describing: DeploymentError.unknownInstance(unknown))
        }
        if let role = Set(instances.map(\.role)).sorted().first(where: { role in instances.filter { $0.role == role }.allSatisfy { names.contains($0.name) } })
        {
            throw APIError(describing: DeploymentError.invalid(["Role \(role) would have no instance left; delete the deployment instead."]))
        }
        let (runtime, now) = (self.runtime, self.now)
        return try await runOperation(request, context: context, caller: caller) {
            _ = try await runtime.deleteInstances(names, of: deployment, now: now())
        }
    }

    /// Reboot Role Instance (`?comp=reboot`) and Reimage Role Instance (`?comp=reimage`): 202,
    /// 404 at once for an instance the deployment does not run.
    func restartInstance(_ request: Request, context: ManagementRequestContext, deployment: Deployment) async throws -> Response {
        let caller = try context.requireCaller(allowedTo: .manageDeployments)
        let name = try context.parameters.require("instance")
        guard let action = request.uri.queryParameters.get("comp").flatMap({ DeploymentRuntime.InstanceAction(rawValue: $0.lowercased()) }) else {
            throw APIError.badRequest("Say what to do to the role instance with ?comp=reboot or ?comp=reimage.")
        }
        guard await runtime.view(of: deployment).instances.contains(where: { $0.name == name }) else {
            throw APIError(describing: DeploymentError.unknownInstance(name))
        }
        let runtime = self.runtime
        return try await runOperation(request, context: context, caller: caller) {
            try await runtime.restart(name, of: deployment, action: action)
        }
    }

    // MARK: Create

    func create(_ request: Request, context: ManagementRequestContext) async throws -> Response {
        let (caller, service) = try await store.requestedService(context, allowedTo: .manageDeployments)
        guard let slot = DeploymentSlot(path: try context.parameters.require("slot")) else {
            throw APIError.notFound("The deployment slot must be production or staging.")
        }
        let body = try CreateDeploymentBody(try await XMLBody.read(request, root: "CreateDeployment"), packagesDirectory: runtime.packagesDirectory)
        let name = body.name
        if let occupant = try await store.deployments(of: service.name, in: caller.subscription).first(where: {
            $0.slot == slot || $0.name.lowercased() == name.lowercased()
        }) {
            throw APIError(
                status: .conflict, code: "ConflictError",
                message: occupant.slot == slot
                    ? "The \(slot.rawValue) slot of \(service.name) already holds deployment \(occupant.name); delete it first."
                    : "The cloud service \(service.name) already has a deployment named \(name).")
        }
        let createRequest = DeploymentRuntime.CreateRequest(
            subscription: caller.subscription, service: service.name, slot: slot, name: name, packageURL: body.packageURL, label: body.label,
            configuration: body.configuration, start: body.start, extendedProperties: body.extendedProperties
        )
        let runtime = self.runtime
        let now = self.now
        return try await runOperation(request, context: context, caller: caller) {
            _ = try await runtime.create(createRequest, now: now())
        }
    }

    // MARK: Get

    func get(_ deployment: Deployment) async throws -> Response {
        let view = await runtime.view(of: deployment)
        return xmlResponse(AzureXML.document("Deployment") { DeploymentXML.write(view, into: &$0) })
    }

    // MARK: Change configuration and status

    func change(_ request: Request, context: ManagementRequestContext, deployment: Deployment) async throws -> Response {
        let runtime = self.runtime
        let now = self.now
        switch request.uri.queryParameters.get("comp")?.lowercased() {
        case "config":
            var caller = try context.requireCaller(allowedTo: .read)
            let configuration = try ChangeConfigurationBody(try await XMLBody.read(request, root: "ChangeConfiguration")).configuration
            // Renewing a certificate changes only thumbprints; other changes are a deployer's.
            // A configuration that does not read is refused below, by the runtime, with its reason.
            if let change = try? ConfigurationChange(from: deployment.configuration, to: configuration) {
                if change.contains(.thumbprints) { caller = try context.requireCaller(allowedTo: .changeThumbprints) }
                if change.contains(.otherThanThumbprints) { caller = try context.requireCaller(allowedTo: .changeConfiguration) }
            }
            let permitted: ConfigurationChange = [
                caller.may(.changeThumbprints) ? .thumbprints : [], caller.may(.changeConfiguration) ? .otherThanThumbprints : [],
            ]
            let (subscription, notifications) = (caller.subscription, notifications)
            return try await runOperation(request, context: context, caller: caller) {
                let changed = try await runtime.changeConfiguration(of: deployment, in: subscription, to: configuration, permitted: permitted, now: now())
                await notifications.rotationFinished(of: changed, from: deployment.configuration, to: changed.configuration)
            }
        case "upgrade":
            return try await upgrade(request, context: context, deployment: deployment)
        case "walkupgradedomain":
            return try await walkUpgradeDomain(request, context: context, deployment: deployment)
        case "rollback":
            return try await rollBack(request, context: context, deployment: deployment)
        case "status":
            let caller = try context.requireCaller(allowedTo: .manageDeployments)
            let status = try UpdateDeploymentStatusBody(try await XMLBody.read(request, root: "UpdateDeploymentStatus")).status
            return try await runOperation(request, context: context, caller: caller) {
                _ = try await runtime.setStatus(of: deployment, to: status, now: now())
            }
        default:
            throw APIError.badRequest("Say what to change with ?comp=config, ?comp=status, ?comp=upgrade, ?comp=walkupgradedomain or ?comp=rollback.")
        }
    }

    // MARK: Delete

    func delete(_ request: Request, context: ManagementRequestContext, deployment: Deployment) async throws -> Response {
        let caller = try context.requireCaller(allowedTo: .manageDeployments)
        let runtime = self.runtime
        return try await runOperation(request, context: context, caller: caller) {
            try await runtime.delete(deployment)
        }
    }

    // MARK: Helpers

    /// Answers 202 and runs `work` as an operation; a refusal reports what to change.
    func runOperation(
        _ request: Request, context: ManagementRequestContext, caller: Caller,
        _ work: @escaping @Sendable () async throws -> Void
    ) async throws -> Response {
        try await operations.start(request, context: context, caller: caller, work)
    }

    private func bySlot(_ context: ManagementRequestContext) async throws -> Deployment {
        let (caller, service) = try await store.requestedService(context, allowedTo: .read)
        guard let slot = DeploymentSlot(path: try context.parameters.require("slot")),
            let deployment = try await store.deployments(of: service.name, in: caller.subscription).first(where: { $0.slot == slot })
        else {
            throw APIError.notFound("No deployments were found.")
        }
        return deployment
    }

    private func byName(_ context: ManagementRequestContext) async throws -> Deployment {
        let (caller, service) = try await store.requestedService(context, allowedTo: .read)
        let name = try context.parameters.require("deployment")
        guard
            let deployment = try await store.deployments(of: service.name, in: caller.subscription).first(where: { $0.name.lowercased() == name.lowercased() })
        else {
            throw APIError.notFound("No deployments were found.")
        }
        return deployment
    }
}
