// swift-tools-version:6.0
import Foundation
import PackageDescription

// SwiftBokeh is this repository, two folders up. SwiftPM names a path dependency after its folder, and a clone
// may be called anything, so the name is read from the path rather than written here.
let swiftBokeh = URL(fileURLWithPath: Context.packageDirectory + "/../..").standardizedFileURL.lastPathComponent

let package = Package(
    name: "sliders",
    dependencies: [.package(path: "../..")],
    targets: [
        .executableTarget(
            name: "sliders",
            dependencies: [.product(name: "ServerCore", package: swiftBokeh)],
            path: "Sources/sliders"
        )
    ],
    swiftLanguageModes: [.v6]
)
