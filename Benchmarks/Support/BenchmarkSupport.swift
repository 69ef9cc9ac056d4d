// What the benchmark drivers share: the release server they start and stop, the HTTP client they
// load it with, logging and percentiles. Each driver keeps its own scenario and report.
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import NaraCore

public enum Benchmark {
    /// One client for the whole run, with room for every connection a driver opens.
    public static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(120), concurrentHTTP1ConnectionsPerHostSoftLimit: 1024)
        configuration.timeout = .init(connect: .seconds(10), read: .seconds(60))
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    public static func log(_ message: String) {
        FileHandle.standardError.write(Data("[\(Timestamp.iso8601Millis(Date()))] \(message)\n".utf8))
    }

    /// A whole-number setting from the environment.
    public static func setting(_ name: String, _ fallback: Int) -> Int { ProcessInfo.processInfo.environment[name].flatMap(Int.init) ?? fallback }

    /// Nearest-rank percentile (p in 0...1); 0 for no values.
    public static func percentile(_ values: [Double], _ p: Double) -> Double { Percentile.nearestRank(values.sorted(), p) ?? 0 }

    /// The server's settings for a run: its own data directory and port, warnings only, cheap
    /// password hashes (sign-ins are set-up, not the measured work), PostgreSQL when
    /// `NARA_DATABASE_URL` is set.
    public static func serverEnvironment(dataDirectory: String, port: Int, demoSeed: Bool) -> [String: String] {
        var environment = ["NARA_DATA_DIR": dataDirectory, "NARA_PORT": String(port), "NARA_LOG_LEVEL": "warning", "NARA_DEMO_SEED": demoSeed ? "on" : "off",
                           "NARA_BCRYPT_COST": "4"]
        if let url = ProcessInfo.processInfo.environment["NARA_DATABASE_URL"] { environment["NARA_DATABASE_URL"] = url }
        return environment
    }

    public static func json(_ data: Data) -> [String: Any] { (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:] }
}

/// The release server under test: started with its own `NARA_*` settings (the driver's
/// environment passes through without its own prefix and without other `NARA_*` variables).
public struct BenchmarkServer: Sendable {
    public let base: String
    public let serverPath: String
    public let environment: [String: String]
    /// The driver's settings prefix (`RUSH_`, …), kept from the server.
    public let driverPrefix: String

    public init(serverPath: String, port: Int, environment: [String: String], driverPrefix: String) {
        self.base = "http://127.0.0.1:\(port)"
        self.serverPath = serverPath
        self.environment = environment
        self.driverPrefix = driverPrefix
    }

    /// Refuses to start when something already answers on the port (the figures would be its).
    public func ensurePortFree() async throws {
        if let stale = try? await Benchmark.client.execute(HTTPClientRequest(url: base + "/readyz"), timeout: .seconds(2)), stale.status == .ok {
            throw NaraError(.conflict, code: .conflict, "something already answers on \(base): stop it or choose another port")
        }
    }

    public func start() throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: serverPath)
        process.arguments = ["serve"]
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("NARA_") && !$0.key.hasPrefix(driverPrefix) }
            .merging(environment) { $1 }
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return process
    }

    public func waitReady(_ process: Process, attempts: Int = 600) async throws {
        for _ in 0..<attempts {
            if !process.isRunning { throw NaraError(.unavailable, code: .unavailable, "the server exited") }
            if let response = try? await Benchmark.client.execute(HTTPClientRequest(url: base + "/readyz"), timeout: .seconds(2)), response.status == .ok { return }
            try await Task.sleep(nanoseconds: 200_000_000)
        }
        throw NaraError(.unavailable, code: .unavailable, "the server did not become ready")
    }

    /// One request: status (0 when it failed), body and seconds from sending to the whole answer.
    public func call(_ method: HTTPMethod, _ path: String, token: String? = nil, body: String? = nil,
                     headers: [(String, String)] = []) async -> (Int, Data, Double) {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let start = DispatchTime.now().uptimeNanoseconds
        do {
            let response = try await Benchmark.client.execute(request, timeout: .seconds(60))
            let bytes = try await response.body.collect(upTo: 4 << 20)
            return (Int(response.status.code), Data(buffer: bytes), Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        } catch {
            return (0, Data(), Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
    }
}
