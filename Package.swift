// swift-tools-version:6.0
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "SwiftBokeh",
    products: [
        .library(name: "DocumentModel", targets: ["DocumentModel"]),
        .library(name: "ServerCore", targets: ["ServerCore"]),
        .library(name: "Client", targets: ["Client"]),
        .library(name: "Wire", targets: ["Wire"]),
        .library(name: "Protocol", targets: ["Protocol"]),
        .library(name: "Routing", targets: ["Routing"]),
        .executable(name: "wire-bench", targets: ["WireBench"]),
        .executable(name: "protocol-bench", targets: ["ProtocolBench"]),
        .executable(name: "wire-echo-server", targets: ["WireEchoServer"]),
        .executable(name: "wire-autobahn-client", targets: ["WireAutobahnClient"]),
        .executable(name: "wire-idle-load", targets: ["WireIdleLoad"]),
        .executable(name: "swift-bokeh", targets: ["SwiftBokeh"]),
        .executable(name: "bokeh-loadgen", targets: ["LoadGen"]),
        .executable(name: "bokeh-fuzz", targets: ["Fuzz"]),
    ],
    targets: [
        // System libraries.
        .systemLibrary(
            name: "CZlib", path: "Modules/CZlib", pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]),
        .systemLibrary(
            name: "COpenSSL", path: "Modules/COpenSSL", pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"]), .brew(["openssl@3"])]),
        // epoll and eventfd (Linux headers the Glibc module leaves out); no library to link.
        .systemLibrary(name: "CEpoll", path: "Modules/CEpoll"),

        // Layers. See CONTRIBUTING.md for the layering rule.
        .target(name: "Locking", path: "Modules/Locking", swiftSettings: swiftSettings),
        .target(
            name: "DocumentModel", dependencies: ["Locking"], path: "Modules/DocumentModel",
            swiftSettings: swiftSettings),
        .target(name: "Routing", dependencies: ["Wire"], path: "Modules/Routing", swiftSettings: swiftSettings),
        .target(
            name: "Wire", dependencies: ["Locking", "CZlib", "COpenSSL", "CEpoll"], path: "Modules/Wire",
            swiftSettings: swiftSettings),
        .target(
            name: "Protocol", dependencies: ["DocumentModel", "CZlib", "COpenSSL"], path: "Modules/Protocol",
            swiftSettings: swiftSettings),
        // A Bokeh peer over one WebSocket, under both ServerCore and Client (not a product).
        .target(
            name: "BokehChannel", dependencies: ["DocumentModel", "Protocol", "Wire"], path: "Modules/BokehChannel",
            swiftSettings: swiftSettings),
        .target(
            name: "ServerCore",
            dependencies: [
                "Locking", "DocumentModel", "Protocol", "Wire", "BokehChannel", "Routing", "CZlib", "COpenSSL",
            ],
            path: "Modules/ServerCore", swiftSettings: swiftSettings),
        .target(
            name: "Client", dependencies: ["Locking", "DocumentModel", "Protocol", "Wire", "BokehChannel"],
            path: "Modules/Client",
            swiftSettings: swiftSettings),

        // Tools.
        .executableTarget(
            name: "WireBench", dependencies: ["Wire"], path: "Tools/WireBench", swiftSettings: swiftSettings),
        .executableTarget(
            name: "DocModelInterop", dependencies: ["DocumentModel"], path: "Tools/DocModelInterop",
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "ModelGenerator", path: "Tools/ModelGenerator", swiftSettings: swiftSettings),
        .executableTarget(
            name: "ModelsInterop", dependencies: ["DocumentModel"], path: "Tools/ModelsInterop",
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "JSONBench", dependencies: ["DocumentModel"], path: "Tools/JSONBench", swiftSettings: swiftSettings),
        .executableTarget(
            name: "ProtocolBench", dependencies: ["Protocol", "DocumentModel"], path: "Tools/ProtocolBench",
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "WireEchoServer", dependencies: ["Wire"], path: "Tools/WireEchoServer", swiftSettings: swiftSettings),
        .executableTarget(
            name: "WireAutobahnClient", dependencies: ["Locking", "Wire"], path: "Tools/WireAutobahnClient",
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "SwiftBokeh", dependencies: ["Locking", "ServerCore", "Client"], path: "Tools/SwiftBokeh",
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "ClientInterop", dependencies: ["Client", "DocumentModel", "Protocol"], path: "Tools/ClientInterop",
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "WireIdleLoad", dependencies: ["Locking", "Wire"], path: "Tools/WireIdleLoad",
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "LoadGen", dependencies: ["Wire", "DocumentModel"], path: "Tools/LoadGen",
            swiftSettings: swiftSettings),

        // Tests.
        .executableTarget(
            name: "Fuzz", dependencies: ["Wire", "Protocol", "DocumentModel", "ServerCore"], path: "Tools/Fuzz",
            exclude: ["crashes", "make_corpus.py", "run_fuzz.sh", "lsan.supp"], swiftSettings: swiftSettings),
        .target(name: "TestSupport", path: "Tests/TestSupport", swiftSettings: swiftSettings),
        .testTarget(
            name: "WireTests", dependencies: ["Locking", "Wire", "TestSupport"], path: "Tests/WireTests",
            swiftSettings: swiftSettings),
        .testTarget(
            name: "ProtocolTests", dependencies: ["Protocol", "TestSupport"], path: "Tests/ProtocolTests",
            swiftSettings: swiftSettings),
        .testTarget(
            name: "DocumentModelTests", dependencies: ["DocumentModel", "TestSupport"],
            path: "Tests/DocumentModelTests", swiftSettings: swiftSettings),
        .testTarget(
            name: "RoutingTests", dependencies: ["Routing", "Wire", "TestSupport"], path: "Tests/RoutingTests",
            swiftSettings: swiftSettings),
        .testTarget(
            name: "BokehChannelTests", dependencies: ["Locking", "BokehChannel", "DocumentModel", "Protocol", "Wire"],
            path: "Tests/BokehChannelTests", swiftSettings: swiftSettings),
        .testTarget(
            name: "ServerCoreTests", dependencies: ["Locking", "ServerCore", "TestSupport"],
            path: "Tests/ServerCoreTests",
            swiftSettings: swiftSettings),
        .testTarget(
            name: "ClientTests", dependencies: ["Locking", "Client", "ServerCore", "BokehChannel", "TestSupport"],
            path: "Tests/ClientTests",
            swiftSettings: swiftSettings),
    ],
    swiftLanguageModes: [.v6]
)
