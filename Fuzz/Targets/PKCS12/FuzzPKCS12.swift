import FuzzChecks

/// libFuzzer's entry point: one input through `FuzzTarget.pkcs12`'s check.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzTarget.pkcs12.fuzz(data, size)
    return 0
}
