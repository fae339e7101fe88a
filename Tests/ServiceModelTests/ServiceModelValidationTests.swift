import Certificates
import Foundation
import ServiceModel
import TestSupport
import Testing

@Suite("Service definition and configuration validation")
struct ServiceModelValidationTests {
    static func fixture(_ folder: String) throws -> (ServiceDefinition, ServiceConfiguration) {
        let base = repositoryRoot.appendingPathComponent("Tests/Fixtures/realworld/\(folder)")
        let definition = try [UInt8](Data(contentsOf: base.appendingPathComponent("ServiceDefinition.csdef")))
        let configuration = try [UInt8](Data(contentsOf: base.appendingPathComponent("ServiceConfiguration.cscfg")))
        return (try ServiceDefinition(xml: definition), try ServiceConfiguration(xml: configuration))
    }

    /// What each real-world pair gets wrong, as (file, certificate or role) pairs; empty for working ones.
    static let expectations: [String: [String]] = [
        "azurewebfarm": [], "bluecoffee": [], "blueyonder-companion": [], "forktip": [], "graph-avplaybackbot": [],
        "nuget-services-work": [], "nugetgallery-cloud": [], "openpne3": [], "orchard": [], "synch-v2": [], "tailspin": [], "vera": [],
        "azurewebfarm-sdk18": ["csdef:AzureWebFarm.Example.Web:https endpoint HttpsIn names no certificate"],
        "botbuilder-huebot": ["cscfg:Default:not a SHA-1 thumbprint"],
        "botbuilder-avplayerbot-2017": [
            "cscfg:Default:not a SHA-1 thumbprint",
            "cscfg:Microsoft.WindowsAzure.Plugins.RemoteAccess.PasswordEncryption:does not declare",
        ],
        "graph-avplaybackbot-emptythumb": ["cscfg:test:thumbprint is empty"],
        "lightswitch-companysystem": ["cscfg:SSLCertificate:gives no thumbprint"],
        "nugetgallery-legacy-scripts": [
            "csdef:sslcertificate:names a certificate the role does not declare",
            "cscfg:Microsoft.WindowsAzure.Plugins.RemoteAccess.PasswordEncryption:not a SHA-1 thumbprint",
            "cscfg:sslcertificate:does not declare",
        ],
        "wingz": ["csdef:MyPHP:not in the configuration", "cscfg:WingzOnAzure:not in the definition"],
    ]

    @Test("the real-world pairs: working ones agree, broken ones report what is wrong", arguments: expectations.keys.sorted())
    func realWorld(folder: String) throws {
        let (definition, configuration) = try Self.fixture(folder)
        let issues = ServiceModelValidator().validate(definition, configuration)
        let expected = Self.expectations[folder] ?? []
        #expect(issues.count == expected.count, "\(issues.map(\.description))")
        for (issue, expectation) in zip(issues, expected) {
            let parts = expectation.split(separator: ":", maxSplits: 2).map(String.init)
            #expect(issue.file.rawValue.hasSuffix(parts[0]), "\(issue)")
            #expect(issue.certificate == parts[1] || issue.role == parts[1], "\(issue)")
            #expect(issue.message.contains(parts[2]), "\(issue)")
            #expect(issue.line > 1, "every issue names its line: \(issue)")
        }
    }

    @Test("a configuration with placeholders inside attribute values is refused as unreadable XML")
    func malformed() {
        #expect(throws: ServiceModelError.self) { try Self.fixture("dynatrace") }
    }

    static let definition = """
        <?xml version="1.0" encoding="utf-8"?>
        <ServiceDefinition name="Contoso" xmlns="http://schemas.microsoft.com/ServiceHosting/2008/10/ServiceDefinition">
          <WebRole name="Web" vmsize="Small">
            <Certificates>
              <Certificate name="SSL" storeLocation="LocalMachine" storeName="My" />
              <Certificate name="Partner" storeLocation="CurrentUser" storeName="TrustedPeople" />
            </Certificates>
            <Endpoints>
              <InputEndpoint name="HttpsIn" protocol="https" port="443" certificate="SSL" />
            </Endpoints>
          </WebRole>
        </ServiceDefinition>
        """

    static func configuration(count: String = "2", ssl: String = "", algorithm: String = "sha1", extraRole: Bool = false) -> String {
        """
        <?xml version="1.0" encoding="utf-8"?>
        <ServiceConfiguration serviceName="Contoso" xmlns="http://schemas.microsoft.com/ServiceHosting/2008/10/ServiceConfiguration">
          <Role name="Web">
            <Instances count="\(count)" />
            <Certificates>
              <Certificate name="SSL" thumbprint="\(ssl)" thumbprintAlgorithm="\(algorithm)" />
              <Certificate name="Partner" thumbprint="\(String(repeating: "AB", count: 20))" thumbprintAlgorithm="sha1" />
            </Certificates>
          </Role>\(extraRole ? "\n  <Role name=\"Worker\"><Instances count=\"1\" /></Role>" : "")
        </ServiceConfiguration>
        """
    }

    func issues(_ configuration: String, uploaded: [Thumbprint: UploadedCertificate]? = nil, definition: String = Self.definition) throws -> [ValidationIssue] {
        ServiceModelValidator(uploaded: uploaded).validate(
            try ServiceDefinition(xml: Array(definition.utf8)), try ServiceConfiguration(xml: Array(configuration.utf8))
        )
    }

    @Test("declared stores and endpoints are read")
    func parsing() throws {
        let definition = try ServiceDefinition(xml: Array(Self.definition.utf8))
        let role = try #require(definition.roles.first)
        #expect(role.certificates.map { $0.store?.description } == ["LocalMachine/My", "CurrentUser/TrustedPeople"])
        #expect(role.inputEndpoints.first?.localPort == 443)
        #expect(role.certificates.first?.line == 5)
    }

    @Test("elements Thumbprint does not interpret are kept, not refused")
    func otherElementsKept() throws {
        let (farm, _) = try Self.fixture("azurewebfarm")
        let role = try #require(farm.roles.first)
        #expect(Array(role.otherElements.map(\.name).prefix(3)) == ["Runtime", "Sites", "LocalResources"])
        #expect(role.otherElements.first?.attributes["executionContext"] == "elevated")
        #expect(role.otherElements.first(where: { $0.name == "Sites" })?.line == 8)
        let (_, huebot) = try Self.fixture("botbuilder-huebot")
        #expect(huebot.otherElements.map(\.name) == ["NetworkConfiguration"])
        #expect(huebot.otherElements.first?.children.isEmpty == false)
    }

    @Test("each rule is caught with file, role, certificate and line")
    func rules() throws {
        let good = String(repeating: "0F", count: 20)
        #expect(try issues(Self.configuration(ssl: good)).isEmpty)

        let empty = try issues(Self.configuration(ssl: ""))
        #expect(
            empty.map(\.description) == [
                "ServiceConfiguration.cscfg:6: role Web, certificate SSL: the thumbprint is empty; give the 40-digit SHA-1 thumbprint of the uploaded certificate"
            ])

        for count in ["0", "101", "two"] {
            let found = try issues(Self.configuration(count: count, ssl: good))
            #expect(found.count == 1 && found[0].line == 4 && found[0].role == "Web", "\(count): \(found)")
        }
        let algorithm = try issues(Self.configuration(ssl: good, algorithm: "sha256"))
        #expect(algorithm.first?.message.contains("sha256") == true)
        let extra = try issues(Self.configuration(ssl: good, extraRole: true))
        #expect(extra.first?.role == "Worker" && extra.first?.file == .configuration)

        let partner = try Thumbprint.parse(String(repeating: "AB", count: 20)).thumbprint
        let missing = try issues(Self.configuration(ssl: good), uploaded: [partner: UploadedCertificate(hasPrivateKey: true)])
        #expect(missing.count == 1)
        #expect(missing.first?.certificate == "SSL")
        #expect(missing.first?.message.contains("was not found on the cloud service") == true)

        // The https rule's one home: the endpoint's certificate must have come with its key.
        let ssl = try Thumbprint.parse(good).thumbprint
        let withoutKey = try issues(Self.configuration(ssl: good), uploaded: [partner: .init(hasPrivateKey: false), ssl: .init(hasPrivateKey: false)])
        #expect(withoutKey.count == 1, "only the https endpoint's certificate needs a key: \(withoutKey)")
        #expect(withoutKey.first?.certificate == "SSL" && withoutKey.first?.file == .configuration)
        #expect(withoutKey.first?.message.contains("associated with HTTPS input endpoint") == true)
        #expect(withoutKey.first?.message.contains("does not contain private key") == true)
        #expect(
            try issues(Self.configuration(ssl: good), uploaded: [partner: .init(hasPrivateKey: nil), ssl: .init(hasPrivateKey: nil)]).isEmpty,
            "a key not known (the API's list does not say) is not reported")
        #expect(try issues(Self.configuration(ssl: good), uploaded: [partner: .init(hasPrivateKey: false), ssl: .init(hasPrivateKey: true)]).isEmpty)

        let noCertificate = Self.definition.replacingOccurrences(of: " certificate=\"SSL\"", with: "")
        #expect(try issues(Self.configuration(ssl: good), definition: noCertificate).first?.message.contains("names no certificate") == true)
        let wrongName = Self.definition.replacingOccurrences(of: "certificate=\"SSL\"", with: "certificate=\"Other\"")
        #expect(try issues(Self.configuration(ssl: good), definition: wrongName).first?.certificate == "Other")
        let badStore = Self.definition.replacingOccurrences(of: "storeLocation=\"CurrentUser\"", with: "storeLocation=\"Elsewhere\"")
        #expect(try issues(Self.configuration(ssl: good), definition: badStore).first?.certificate == "Partner")
        let renamed = Self.configuration(ssl: good).replacingOccurrences(of: "serviceName=\"Contoso\"", with: "serviceName=\"Fabrikam\"")
        #expect(try issues(renamed).first?.message.contains("serviceName") == true)
    }

    @Test("a DTD in a definition is refused before parsing")
    func documentType() {
        let hostile = "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"b\">]><ServiceDefinition name=\"&a;\"/>"
        #expect(throws: ServiceModelError.self) { try ServiceDefinition(xml: Array(hostile.utf8)) }
    }
}
