import Foundation
import NaraCore

/// Finds a module's templates and message catalogue in its resource bundle (a `Resources` folder
/// copied by SwiftPM), wherever Foundation puts it on this platform.
public enum ModuleResources {
    public static func directory(_ bundle: Bundle) -> URL? {
        let candidates = [bundle.resourceURL, bundle.resourceURL?.appendingPathComponent("Resources"), bundle.bundleURL.appendingPathComponent("Resources")]
        return candidates.compactMap { $0 }.first { url in
            FileManager.default.fileExists(atPath: url.appendingPathComponent("Templates").path)
                || FileManager.default.fileExists(atPath: url.appendingPathComponent("Messages").path)
        }
    }

    public static func templates(_ bundle: Bundle) -> URL? {
        directory(bundle)?.appendingPathComponent("Templates")
    }

    public static func messages(_ bundle: Bundle) -> [Language: [String: String]] {
        guard let directory = directory(bundle)?.appendingPathComponent("Messages") else { return [:] }
        var catalogue = MessageCatalogue()
        try? catalogue.load(directory: directory)
        return catalogue.tables
    }
}
