import Certificates
import Deployments
import Foundation
import ServiceModel
import Storage
import TestSupport
import Testing

@Suite("Deployment plans")
struct DeploymentPlanTests {
    static let definition = """
        <ServiceDefinition name="shop" xmlns="http://schemas.microsoft.com/ServiceHosting/2008/10/ServiceDefinition">
          <WebRole name="Web" vmsize="Medium">
            <Endpoints><InputEndpoint name="HttpsIn" protocol="https" port="443" certificate="SSL" /></Endpoints>
            <Certificates><Certificate name="SSL" storeLocation="LocalMachine" storeName="My" /></Certificates>
          </WebRole>
        </ServiceDefinition>
        """

    static func configuration(_ thumbprint: Thumbprint, count: Int = 2) throws -> ServiceConfiguration {
        try ServiceConfiguration(
            xml: Array(
                """
                <ServiceConfiguration serviceName="shop" xmlns="http://schemas.microsoft.com/ServiceHosting/2008/10/ServiceConfiguration">
                  <Role name="Web"><Instances count="\(count)" />
                    <Certificates><Certificate name="SSL" thumbprint="\(thumbprint)" thumbprintAlgorithm="sha1" /></Certificates></Role>
                </ServiceConfiguration>
                """.utf8))
    }

    static func upload(_ bundle: CertificateBundle, withKey: Bool, masterKey: MasterKey, in subscription: SubscriptionID = .random()) throws
        -> ServiceCertificate
    {
        let sealed = try bundle.privateKey.flatMap { key in
            withKey
                ? try KeyEnvelope.seal(key.pkcs8, context: ServiceCertificate.sealingContext(service: "shop", thumbprint: bundle.thumbprint), with: masterKey)
                : nil
        }
        return ServiceCertificate(
            subscription: subscription, service: "shop", thumbprint: bundle.thumbprint, certificate: bundle.cerBytes, sealedPrivateKey: sealed, created: Date())
    }

    @Test("a valid deployment plans each role: size, instance count, the certificate with its key for the declared store")
    func plans() async throws {
        let masterKey = MasterKey.generate()
        let bundle = try makeTestBundle(["www.contoso.net"])
        let plan = try DeploymentPlan.make(
            definition: try ServiceDefinition(xml: Array(Self.definition.utf8)),
            configuration: try Self.configuration(bundle.thumbprint, count: 3),
            uploaded: [try Self.upload(bundle, withKey: true, masterKey: masterKey)], service: "shop", masterKey: masterKey)
        let role = try #require(plan.roles.first)
        #expect(role.name == "Web" && role.size == "Medium" && role.instanceCount == 3)
        #expect(role.certificates.first?.store.description == "LocalMachine/My")
        #expect(role.certificates.first?.bundle.privateKey?.pkcs8 == bundle.privateKey?.pkcs8, "the key is unsealed as it was uploaded")
        #expect(role.endpoints.map(\.name) == ["HttpsIn"])
    }

    @Test("upgrade domains: the definition's upgradeDomainCount (5 by default), but no more than the largest role has instances")
    func upgradeDomains() async throws {
        let masterKey = MasterKey.generate()
        let bundle = try makeTestBundle(["www.contoso.net"])
        let uploaded = [try Self.upload(bundle, withKey: true, masterKey: masterKey)]
        func domains(_ attribute: String, count: Int) throws -> Int {
            let definition = Self.definition.replacingOccurrences(
                of: #"<ServiceDefinition name="shop""#, with: #"<ServiceDefinition name="shop" \#(attribute)"#)
            return try DeploymentPlan.make(
                definition: try ServiceDefinition(xml: Array(definition.utf8)), configuration: try Self.configuration(bundle.thumbprint, count: count),
                uploaded: uploaded, service: "shop", masterKey: masterKey
            ).upgradeDomainCount
        }
        #expect(try domains("", count: 3) == 3)
        #expect(try domains("", count: 8) == 5)
        #expect(try domains(#"upgradeDomainCount="2""#, count: 4) == 2)
        #expect(try domains(#"upgradeDomainCount="12""#, count: 20) == 12)
        #expect(try domains(#"upgradeDomainCount="99""#, count: 20) == 5, "out of range: the default")
    }

    @Test("refusals name what to fix: a thumbprint never uploaded, an https certificate uploaded without its key, another master key")
    func refusals() async throws {
        let masterKey = MasterKey.generate()
        let bundle = try makeTestBundle(["www.contoso.net"])
        let definition = try ServiceDefinition(xml: Array(Self.definition.utf8))
        let other = try makeTestBundle(["www.contoso.net"]).thumbprint
        #expect {
            try DeploymentPlan.make(
                definition: definition, configuration: try Self.configuration(other),
                uploaded: [try Self.upload(bundle, withKey: true, masterKey: masterKey)], service: "shop", masterKey: masterKey)
        } throws: { error in
            guard case DeploymentError.invalid(let issues) = error else { return false }
            return issues.count == 1 && issues[0].contains(other.description) && issues[0].contains("certificate SSL")
        }
        #expect {
            try DeploymentPlan.make(
                definition: definition, configuration: try Self.configuration(bundle.thumbprint),
                uploaded: [try Self.upload(bundle, withKey: false, masterKey: masterKey)], service: "shop", masterKey: masterKey)
        } throws: { error in
            guard case DeploymentError.invalid(let issues) = error else { return false }
            return issues.count == 1 && issues[0].contains("certificate SSL")
                && issues[0].hasSuffix(
                    "Certificate with thumbprint \(bundle.thumbprint) associated with HTTPS input endpoint HttpsIn does not contain private key; upload it as a .pfx"
                )
        }
        #expect {
            try DeploymentPlan.make(
                definition: definition, configuration: try Self.configuration(bundle.thumbprint),
                uploaded: [try Self.upload(bundle, withKey: true, masterKey: masterKey)], service: "shop", masterKey: MasterKey.generate())
        } throws: { error in
            guard case DeploymentError.invalid(let issues) = error else { return false }
            return issues.first?.contains("cannot be opened") == true
        }
    }
}
