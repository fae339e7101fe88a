import FuzzChecks

/// libFuzzer's entry point: one input through `FuzzTarget.apiBodies`'s check.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzTarget.apiBodies.fuzz(data, size)
    return 0
}
