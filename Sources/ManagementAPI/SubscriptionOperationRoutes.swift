import Certificates
import Hummingbird
import Storage
import WireFormat

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// List Subscription Operations (`GET /<subscription>/operations?StartTime=…&EndTime=…`),
/// answered from the audit log: one operation per API request (an asynchronous one's Accepted
/// and final entries joined by its request id) and per administrative or portal action, oldest
/// first, 100 a page with a continuation token.
struct SubscriptionOperationRoutes: Sendable {
    let store: any ManagementStore

    /// Operations per page.
    static let pageSize = 100
    /// The widest time range one request may ask for, as on the classic platform.
    static let longestRange: TimeInterval = 90 * 24 * 60 * 60

    func register(on router: some RouterMethods<ManagementRequestContext>) {
        router.get(":subscription/operations") { request, context in try await list(request, context: context) }
    }

    /// One operation: its first audit entry and its latest.
    struct Listed {
        var id: String
        var first: AuditEntry
        var last: AuditEntry

        var status: String {
            switch last.outcome {
            case "Accepted": "InProgress"
            case "Succeeded": "Succeeded"
            default: "Failed"
            }
        }
    }

    func list(_ request: Request, context: ManagementRequestContext) async throws -> Response {
        let caller = try context.requireCaller(allowedTo: .read)
        let query = request.uri.queryParameters
        guard let start = query.get("StartTime").flatMap(Self.date), let end = query.get("EndTime").flatMap(Self.date) else {
            throw APIError.badRequest("Give StartTime and EndTime as ISO 8601 times, such as 2026-12-01T00:00:00Z.")
        }
        guard start <= end, end.timeIntervalSince(start) <= Self.longestRange else {
            throw APIError.badRequest("EndTime must come after StartTime, at most 90 days later.")
        }
        let result: String? = query.get("OperationResultFilter").map { String($0) }
        let statuses = ["Succeeded", "Failed", "InProgress"]
        if let result, !statuses.contains(where: { $0.caseInsensitiveCompare(result) == .orderedSame }) {
            throw APIError.badRequest("OperationResultFilter must be Succeeded, Failed or InProgress.")
        }
        var from: Int64 = 0
        if let token = query.get("ContinuationToken") {
            guard let value = Int64(token), value > 0 else { throw APIError.badRequest("The ContinuationToken is not one this server gave.") }
            from = value
        }
        let prefix = "/\(caller.subscription)/"
        let objectFilter: String? = query.get("ObjectIdFilter").map { String($0) }
        let operations = Self.operations(from: try await store.auditEntries(subscription: caller.subscription, from: start, to: end)).filter {
            ($0.first.sequence ?? 0) >= from
                && (result == nil || $0.status.caseInsensitiveCompare(result ?? "") == .orderedSame)
                && (objectFilter == nil || (prefix + $0.first.target).lowercased().hasPrefix(objectFilter?.lowercased() ?? ""))
        }
        let page = operations.prefix(Self.pageSize)
        let next = operations.dropFirst(Self.pageSize).first?.first.sequence
        return xmlResponse(
            AzureXML.document("SubscriptionOperationCollection") { xml in
                xml.element("SubscriptionOperations") { list in
                    for operation in page { list.element("SubscriptionOperation") { Self.write(operation, prefix: prefix, into: &$0) } }
                }
                if let next { xml.element("ContinuationToken", "\(next)") }
            })
    }

    /// Audit entries joined into operations: entries with the same request id are one.
    static func operations(from entries: [AuditEntry]) -> [Listed] {
        var order: [String] = []
        var byID: [String: Listed] = [:]
        for entry in entries {
            let id = entry.requestID ?? "entry-\(entry.sequence ?? 0)"
            if byID[id] == nil {
                order.append(id)
                byID[id] = Listed(id: entry.requestID ?? String(format: "%032llx", entry.sequence ?? 0), first: entry, last: entry)
            } else {
                byID[id]?.last = entry
            }
        }
        return order.compactMap { byID[$0] }
    }

    static func write(_ operation: Listed, prefix: String, into xml: inout AzureXML) {
        xml.element("OperationId", operation.id)
        xml.element("OperationObjectId", prefix + operation.first.target)
        xml.element("OperationName", operation.first.operation)
        xml.element("OperationCaller") { caller in
            caller.element("UsedServiceManagementApi", operation.first.callerThumbprint == nil ? "false" : "true")
            if let user = operation.first.user { caller.element("UserEmailAddress", user) }
            if let thumbprint = operation.first.callerThumbprint { caller.element("SubscriptionCertificateThumbprint", thumbprint) }
        }
        xml.element("OperationStatus") { status in
            status.element("ID", operation.id)
            status.element("Status", operation.status)
            let code = operation.last.httpStatus ?? (operation.status == "Succeeded" ? 200 : operation.status == "InProgress" ? 202 : 500)
            status.element("HttpStatusCode", "\(code)")
        }
        xml.element("OperationStartedTime", UTCCalendar.iso8601WithFraction(operation.first.time))
        if operation.status != "InProgress" { xml.element("OperationCompletedTime", UTCCalendar.iso8601WithFraction(operation.last.time)) }
        xml.element("OperationKind", operation.first.operation)
    }

    /// An ISO 8601 time, with or without fractional seconds.
    static func date(_ text: String) -> Date? {
        return (try? Date(text, strategy: .iso8601)) ?? (try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
    }
}
