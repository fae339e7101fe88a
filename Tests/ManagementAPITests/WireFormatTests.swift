import Storage
import Testing

@testable import ManagementAPI
@testable import WireFormat

@Suite("Wire format details")
struct WireFormatTests {
    @Test("XML values are escaped wherever the special characters fall, and copied when there are none")
    func escaping() {
        #expect(AzureXML.escape("") == "")
        #expect(AzureXML.escape("MIIC+/=") == "MIIC+/=")
        #expect(AzureXML.escape("a&b<c>d\"e'f") == "a&amp;b&lt;c&gt;d&quot;e&apos;f")
        #expect(AzureXML.escape("&start") == "&amp;start")
        #expect(AzureXML.escape("end<") == "end&lt;")
        #expect(AzureXML.escape("<<>>") == "&lt;&lt;&gt;&gt;")
        #expect(AzureXML.escape("héllo & ünïcode ✓") == "héllo &amp; ünïcode ✓")
        let document = AzureXML.document("Root") { $0.element("Name", "Tom & Jerry") }
        #expect(document.hasSuffix("<Name>Tom &amp; Jerry</Name></Root>"))
    }

    @Test("x-ms-version must be a date: YYYY-MM-DD with a real month and day")
    func versionHeader() {
        for good in ["2014-10-01", "2009-10-01", "2017-01-01", "2012-12-31"] {
            #expect(VersionHeader.isValid(good), "\(good)")
        }
        for bad in ["", "2014-10-1", "2014-13-01", "2014-00-10", "2014-10-32", "2014/10/01", "２０１４-10-01", "2014-10-01 ", "latest", "20141001xx"] {
            #expect(!VersionHeader.isValid(bad), "\(bad)")
        }
    }

    @Test("request ids are 32 lower-case hex digits, different each time, and operations read them back in the dashed form")
    func requestIDs() {
        let ids = (0..<1000).map { _ in RequestID.random() }
        #expect(Set(ids).count == 1000)
        #expect(ids.allSatisfy { $0.rawValue.count == 32 && $0.rawValue.allSatisfy { "0123456789abcdef".contains($0) } })
        let operation = OperationID(ids[0].rawValue)
        #expect(operation?.rawValue == ids[0].rawValue)
        #expect(operation.flatMap { OperationID($0.dashed) } == operation)
    }
}
