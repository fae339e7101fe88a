import Certificates
import Foundation
import TestSupport
import Testing

@Suite("Thumbprints typed by people")
struct ThumbprintTests {
    let canonical = "BEA4B74BD6B915E9DD6A01FB1B8C3C1740F517F2"

    @Test(
        "lowercase, spaces and colons normalise to 40 uppercase digits",
        arguments: [
            "bea4b74bd6b915e9dd6a01fb1b8c3c1740f517f2",
            "be a4 b7 4b d6 b9 15 e9 dd 6a 01 fb 1b 8c 3c 17 40 f5 17 f2",
            "BE:A4:B7:4B:D6:B9:15:E9:DD:6A:01:FB:1B:8C:3C:17:40:F5:17:F2",
        ])
    func normalises(text: String) throws {
        let parsed = try Thumbprint.parse(text)
        #expect(parsed.thumbprint.description == canonical)
        #expect(!parsed.removedInvisibleCharacters)
    }

    @Test("an invisible left-to-right mark copied from a dialog is removed and reported")
    func removesInvisibleCharacters() throws {
        let parsed = try Thumbprint.parse("\u{200E}" + canonical.lowercased())
        #expect(parsed.thumbprint.description == canonical)
        #expect(parsed.removedInvisibleCharacters)
    }

    @Test("wrong length and non-hex characters are refused with the reason")
    func refusesBadText() {
        #expect(throws: CertificateError.self) { try Thumbprint.parse("ABCD") }
        do {
            _ = try Thumbprint.parse(String(canonical.dropLast()) + "G")
            Issue.record("a G was accepted")
        } catch {
            #expect(error.description.contains("\"G\""))
        }
    }

    @Test("the thumbprint of a DER certificate is its SHA-1")
    func thumbprintOfCertificate() throws {
        let der = try Fixtures.managementCertificate()
        #expect(Thumbprint(certificateDER: der).description == canonical)
    }
}

@Suite("UTC dates")
struct UTCCalendarTests {
    @Test(
        "formatting inverts parsing, across leap days and centuries",
        arguments: [
            (1970, 1, 1, 0, 0, 0), (2000, 2, 29, 23, 59, 59), (2039, 12, 31, 23, 59, 59), (2100, 3, 1, 12, 0, 1), (1999, 12, 31, 0, 0, 0),
        ])
    func roundTrip(year: Int, month: Int, day: Int, hours: Int, minutes: Int, seconds: Int) {
        let date = UTCCalendar.date(year: year, month: month, day: day, hours: hours, minutes: minutes, seconds: seconds)
        let text = UTCCalendar.iso8601(date)
        #expect(text == String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", year, month, day, hours, minutes, seconds))
        #expect(ISO8601DateFormatter().date(from: text) == date)
    }
}
