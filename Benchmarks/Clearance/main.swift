// Export clearance in seconds (issue #6): export declarations of 1 to 20 items posted by 32
// concurrent clients against the demo government, about 90 % expected green. Reports declarations
// per second, the share released in the request (green), the median and p99 time from submission
// to release of the green lane (the request's round trip, measured by the client), and the ratio to
// the server's plaintext ceiling (/ping) measured in the same run with the same connections.
//
// Run by Benchmarks/clearance.sh; settings from the environment (CLEAR_*; NARA_DATABASE_URL for PostgreSQL).
import BenchmarkSupport
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import NaraApp
import NaraCore
#if canImport(Glibc)
import Glibc
#endif

enum Clearance {
    static let env = ProcessInfo.processInfo.environment
    static func setting(_ name: String, _ fallback: Int) -> Int { Benchmark.setting(name, fallback) }
    static let dataDirectory = env["CLEAR_DATA"] ?? "/tmp/nara-clearance"
    static let port = setting("CLEAR_PORT", 18191)
    static let connections = setting("CLEAR_CONNECTIONS", 32)
    static let seconds = Double(setting("CLEAR_SECONDS", 30))
    static let pingSeconds = Double(setting("CLEAR_PING_SECONDS", 10))
    static func log(_ message: String) { Benchmark.log(message) }

    static let serverEnvironment = Benchmark.serverEnvironment(dataDirectory: dataDirectory, port: port, demoSeed: true)
    static let storage = env["NARA_DATABASE_URL"] == nil ? "SQLite (WAL, synchronous=FULL)" : "PostgreSQL"
    static let server = BenchmarkServer(serverPath: env["CLEAR_SERVER"] ?? ".build/release/nara", port: port, environment: serverEnvironment,
                                        driverPrefix: "CLEAR_")

    static func call(_ method: HTTPMethod, _ path: String, token: String? = nil, body: String? = nil) async -> (Int, Data, Double) {
        await server.call(method, path, token: token, body: body)
    }

    static func token(_ username: String, totp: String? = nil) async throws -> String {
        var body = "{\"grant_type\":\"password\",\"username\":\"\(username)\",\"password\":\"\(DemoSeed.password)\""
        if let totp { body += ",\"totp\":\"\(totp)\"" }
        let (status, data, _) = await call(.POST, "/api/v1/auth/token", body: body + "}")
        guard status == 200, let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any], let token = object["access_token"] as? String else {
            throw NaraError(.unauthorized, code: .invalidCredentials, "no token for \(username): \(status) \(String(decoding: data, as: UTF8.self))")
        }
        return token
    }

    static func percentile(_ values: [Double], _ p: Double) -> Double { Benchmark.percentile(values, p) }

    /// An export of 1-20 goods items; about one in fourteen carries a battery declared far below
    /// the usual value per kilogram, which the benchmark's criterion sends to the documents lane.
    static func declaration(_ n: Int, rng: inout SystemRandomNumberGenerator) -> String {
        let count = Int.random(in: 1...20, using: &rng)
        let cheap = Int.random(in: 0..<14, using: &rng) == 0
        var items: [String] = []
        var total: Int64 = 0
        for index in 0..<count {
            let laptop = index % 2 == 0
            let quantity = Int.random(in: 5...200, using: &rng)
            let net = Double(quantity) * (laptop ? 1.6 : 9.5)
            let unitValue: Int64 = laptop ? 65_000 : (cheap && index == 1 ? 500 : 18_000)   // cents per unit
            let value = unitValue * Int64(quantity)
            total += value
            items.append("""
                {"hsCode":"\(laptop ? "8471300000" : "8507600000")","description":"\(laptop ? "Notebook computers" : "Lithium-ion battery packs")","origin":"KR",\
                "quantity":\(quantity),"quantityUnit":"NAR","grossMassKg":\(String(format: "%.1f", net * 1.1)),"netMassKg":\(String(format: "%.1f", net)),\
                "packages":\(max(1, quantity / 10)),"packageType":"CT","valueMinor":\(value)}
                """)
        }
        return """
            {"kind":"export","traderReference":"BENCH-\(UUID().uuidString.prefix(18))","officeCode":"\(n % 2 == 0 ? "020" : "040")","transportMode":\(n % 2 == 0 ? 1 : 4),\
            "currency":"USD","invoiceAmountMinor":\(total),"invoiceNumber":"INV-\(n)","incoterm":"FOB","counterpartName":"Pacific Retail LLC",\
            "counterpartCountry":"US","items":[\(items.joined(separator: ","))]}
            """
    }

    struct Sample: Sendable {
        let status: Int
        let latency: Double
        let released: Bool
        let lane: String
    }

    static func run() async throws {
        try? FileManager.default.removeItem(atPath: dataDirectory)
        log("starting the server (\(storage)) with the demo government")
        let process = try server.start()
        defer { process.terminate() }
        try await server.waitReady(process)
        let traders = [try await token("daehan.trading"), try await token("seoul.software")]
        let analyst = try await token("official.kcs", totp: TOTP(secret: DemoSeed.totpSecret).code(at: Date()))
        let criterion = """
            {"code":"RC-BENCH","name":"Batteries declared far below their usual value","lane":"yellow",
             "conditions":[{"type":"hsPrefix","values":["8507"]},{"type":"valuePerKgBelow","amountKRW":2000}],"validUntil":"2030-01-01T00:00:00Z"}
            """
        let (created, body, _) = await call(.POST, "/api/v1/customs/criteria", token: analyst, body: criterion)
        guard created == 201 else { throw NaraError(.unavailable, code: .unavailable, "criterion: \(created) \(String(decoding: body, as: UTF8.self))") }

        // The plaintext ceiling, with the same client and connections.
        log("plaintext ceiling: \(connections) connections, \(Int(pingSeconds)) s of GET /ping")
        let pingEnd = Date().addingTimeInterval(pingSeconds)
        let pings = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<connections {
                group.addTask {
                    var done = 0
                    while Date() < pingEnd { if await call(.GET, "/ping").0 == 200 { done += 1 } }
                    return done
                }
            }
            return try await group.reduce(0, +)
        }
        let pingRate = Double(pings) / pingSeconds

        log("declarations: \(connections) connections, \(Int(seconds)) s")
        let start = Date()
        let end = start.addingTimeInterval(seconds)
        let samples = try await withThrowingTaskGroup(of: [Sample].self) { group in
            for worker in 0..<connections {
                group.addTask {
                    var rng = SystemRandomNumberGenerator()
                    var out: [Sample] = []
                    var n = worker
                    while Date() < end {
                        let (status, data, latency) = await call(.POST, "/api/v1/customs/declarations", token: traders[worker % traders.count],
                                                                 body: declaration(n, rng: &rng))
                        var state = "", lane = ""
                        if status == 201, let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
                            state = object["state"] as? String ?? ""
                            lane = object["lane"] as? String ?? ""
                        }
                        out.append(Sample(status: status, latency: latency, released: state == "released", lane: lane))
                        n += connections
                    }
                    return out
                }
            }
            var all: [Sample] = []
            for try await part in group { all.append(contentsOf: part) }
            return all
        }
        let elapsed = Date().timeIntervalSince(start)
        let accepted = samples.filter { $0.status == 201 }
        let green = accepted.filter { $0.lane == "green" && $0.released }
        let errors = samples.count - accepted.count
        let rate = Double(accepted.count) / elapsed
        let lanes = Dictionary(grouping: accepted, by: \.lane).mapValues(\.count)
        let greenMedian = percentile(green.map(\.latency), 0.5) * 1000, greenP99 = percentile(green.map(\.latency), 0.99) * 1000
        let allP99 = percentile(accepted.map(\.latency), 0.99) * 1000
        log("lanes: \(lanes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")); errors \(errors)")
        if let failure = samples.first(where: { $0.status != 201 }) { log("first error: status \(failure.status)") }
        print("| \(storage) | \(accepted.count) | \(String(format: "%.0f", rate)) | \(String(format: "%.1f", Double(green.count) * 100 / Double(max(1, accepted.count)))) % "
              + "| \(String(format: "%.0f", greenMedian)) ms | \(String(format: "%.0f", greenP99)) ms | \(String(format: "%.0f", allP99)) ms | \(errors) "
              + "| \(String(format: "%.0f", pingRate)) | \(String(format: "%.1f", rate * 100 / pingRate)) % |")
        try await Benchmark.client.shutdown()
    }
}

do {
    try await Clearance.run()
} catch {
    Clearance.log("failed: \(error)")
    exit(1)
}
