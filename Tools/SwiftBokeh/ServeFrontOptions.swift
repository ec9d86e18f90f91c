// `swift-bokeh serve` options of the HTTP front: BokehJS directory, favicon, TLS and proxy headers.
import Foundation
import ServerCore

let frontUsage = """
      --static-dir DIR                     BokehJS directory served at /static (default: Vendor/bokehjs if it
                                           exists, else pages load BokehJS from cdn.bokeh.org)
      --ico-path PATH                      favicon file, or 'none' (default: DIR/favicon.ico)
      --ssl-certfile PATH                  serve HTTPS/WSS with this PEM certificate chain
      --ssl-keyfile PATH                   the certificate's private key (PEM)
      --use-xheaders                       trust X-Real-Ip / X-Forwarded-For / X-Scheme from a proxy

    """

/// The BokehJS directory `make bokehjs` fills, relative to the working directory.
let defaultStaticDirectory = "Vendor/bokehjs"

/// Applies one front option to `configuration`; false when `option` is not one of them.
func applyFrontOption(_ option: String, value: () -> String, to configuration: inout ServerConfiguration) -> Bool {
    switch option {
    case "--static-dir": configuration.front.staticDirectory = value()
    case "--ico-path": configuration.front.favicon = Favicon(icoPath: value())
    case "--ssl-certfile": configuration.tls.certificateFile = value()
    case "--ssl-keyfile": configuration.tls.keyFile = value()
    case "--use-xheaders": configuration.network.useXheaders = true
    default: return false
    }
    return true
}

/// Fills in the front defaults the command line left open.
func applyFrontDefaults(to configuration: inout ServerConfiguration) {
    if configuration.front.staticDirectory == nil {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: defaultStaticDirectory, isDirectory: &isDirectory),
            isDirectory.boolValue
        {
            configuration.front.staticDirectory = defaultStaticDirectory
        }
    }
}
