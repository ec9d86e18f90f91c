// libFuzzer's driver, in a fuzzing build only (SWIFTBOKEH_FUZZING, linked with libclang_rt.fuzzer_no_main).
#if SWIFTBOKEH_FUZZING
    import Foundation

    typealias FuzzCallback = @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32

    @_silgen_name("LLVMFuzzerRunDriver")
    func LLVMFuzzerRunDriver(
        _ argc: UnsafeMutablePointer<Int32>,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
        _ callback: FuzzCallback
    ) -> Int32

    /// The target libFuzzer calls; a C callback cannot capture, so it is kept here.
    nonisolated(unsafe) var currentTarget: FuzzTarget?

    func runLibFuzzer(_ target: FuzzTarget, flags: [String]) -> Int32 {
        currentTarget = target
        target.warmUp?()
        var argv: [UnsafeMutablePointer<CChar>?] = (["bokeh-fuzz-\(target.name)"] + flags).map { strdup($0) } + [nil]
        // trap-safe: a command line has far fewer than 2^31 arguments
        var argc = Int32(argv.count - 1)
        return argv.withUnsafeMutableBufferPointer { buffer in
            var base = buffer.baseAddress
            return LLVMFuzzerRunDriver(&argc, &base) { bytes, count in
                let data = bytes.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
                currentTarget?.run(data)
                return 0
            }
        }
    }
#endif
