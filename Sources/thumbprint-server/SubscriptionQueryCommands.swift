import ArgumentParser
import CLISupport
import Certificates
import WireFormat

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `thumbprint locations`: where cloud services may be created (List Locations).
struct LocationsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "locations", abstract: "List the locations cloud services may be created in.")
    @OptionGroup var connection: ConnectionOptions
    @Flag(name: .customLong("json"), help: "Print one JSON document.") var json = false

    struct Entry: Encodable {
        var name: String
        var services: [String]
    }

    func run() async throws {
        let entries = try await connection.withConnection { api in
            try api.xml(try await api.send(.GET, "/locations")).children("Location").map { location in
                Entry(
                    name: location.child("Name")?.text ?? "",
                    services: location.child("AvailableServices")?.children("AvailableService").map(\.text) ?? [])
            }
        }
        if json { return try printJSON(entries) }
        for entry in entries { print("\(entry.name)  (\(entry.services.joined(separator: ", ")))") }
    }
}

/// `thumbprint operations`: what was done on the subscription (List Subscription Operations),
/// every page followed.
struct OperationsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "operations", abstract: "List the operations on the subscription: what was done, by whom, how it ended.")
    @Option(name: .customLong("since"), help: ArgumentHelp("From this ISO 8601 time, or this many hours ago (such as 24h).", valueName: "TIME"))
    var since = "24h"
    @OptionGroup var connection: ConnectionOptions
    @Flag(name: .customLong("json"), help: "Print one JSON document.") var json = false

    struct Entry: Encodable {
        var id: String
        var name: String
        var object: String
        var status: String
        var httpStatusCode: Int?
        var caller: String
        var started: String
        var completed: String?
    }

    func run() async throws {
        let now = Date()
        let start: Date
        if since.hasSuffix("h"), let hours = Double(since.dropLast()), hours > 0 {
            start = now.addingTimeInterval(-hours * 3600)
        } else if let date = try? Date(since, strategy: .iso8601) {
            start = date
        } else {
            throw ValidationError("--since takes an ISO 8601 time (2026-12-01T00:00:00Z) or hours (24h), not \(since)")
        }
        let range = "StartTime=\(UTCCalendar.iso8601(start))&EndTime=\(UTCCalendar.iso8601(now.addingTimeInterval(60)))"
        let entries = try await connection.withConnection { api in
            var entries: [Entry] = []
            var token: String?
            repeat {
                let page = try api.xml(try await api.send(.GET, "/operations?\(range)" + (token.map { "&ContinuationToken=\($0)" } ?? "")))
                for operation in page.child("SubscriptionOperations")?.children("SubscriptionOperation") ?? [] {
                    let caller = operation.child("OperationCaller")
                    let status = operation.child("OperationStatus")
                    entries.append(
                        Entry(
                            id: operation.child("OperationId")?.text ?? "", name: operation.child("OperationName")?.text ?? "",
                            object: operation.child("OperationObjectId")?.text ?? "", status: status?.child("Status")?.text ?? "",
                            httpStatusCode: status?.child("HttpStatusCode").flatMap { Int($0.text) },
                            caller: caller?.child("UserEmailAddress")?.text ?? caller?.child("SubscriptionCertificateThumbprint")?.text ?? "",
                            started: operation.child("OperationStartedTime")?.text ?? "", completed: operation.child("OperationCompletedTime")?.text))
                }
                token = page.child("ContinuationToken")?.text
            } while token != nil
            return entries
        }
        if json { return try printJSON(entries) }
        for entry in entries {
            print("\(entry.started)  \(entry.name)  \(entry.status)\(entry.httpStatusCode.map { " \($0)" } ?? "")  \(entry.caller)  \(entry.object)")
        }
    }
}
