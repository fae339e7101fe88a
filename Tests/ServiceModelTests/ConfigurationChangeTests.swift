import ServiceModel
import Testing

@Suite("What a configuration change touches")
struct ConfigurationChangeTests {
    func configuration(count: Int = 2, thumbprint: String = "A1B2C3D4E5F60718293A4B5C6D7E8F9012345678", setting: String = "on", spacing: String = " ")
        -> [UInt8]
    {
        Array(
            """
            <ServiceConfiguration serviceName="shop" xmlns="http://schemas.microsoft.com/ServiceHosting/2008/10/ServiceConfiguration">
              <Role name="Web">\(spacing)<Instances count="\(count)" />
                <ConfigurationSettings><Setting name="Feature" value="\(setting)" /></ConfigurationSettings>
                <Certificates><Certificate name="SSL" thumbprint="\(thumbprint)" thumbprintAlgorithm="sha1" /></Certificates></Role>
            </ServiceConfiguration>
            """.utf8)
    }

    @Test("a new thumbprint alone is a thumbprint change; counts and settings are other changes; layout and thumbprint case are none")
    func classify() throws {
        let old = configuration()
        #expect(try ConfigurationChange(from: old, to: configuration(thumbprint: "FFB2C3D4E5F60718293A4B5C6D7E8F9012345678")) == .thumbprints)
        #expect(try ConfigurationChange(from: old, to: configuration(count: 3)) == .otherThanThumbprints)
        #expect(try ConfigurationChange(from: old, to: configuration(setting: "off")) == .otherThanThumbprints)
        #expect(
            try ConfigurationChange(from: old, to: configuration(count: 3, thumbprint: "FFB2C3D4E5F60718293A4B5C6D7E8F9012345678"))
                == [.thumbprints, .otherThanThumbprints])
        #expect(
            try ConfigurationChange(from: old, to: configuration(thumbprint: "a1 b2 c3 d4 e5 f6 07 18 29 3a 4b 5c 6d 7e 8f 90 12 34 56 78", spacing: "\n\n   "))
                == [])
    }
}
