// e-People under load (issue #7): complaint filing and petition signing at 64 connections, and a
// petition that receives 10,000 signatures from 10,000 citizens, with repeated signatures sent at
// the same time, within one minute: it must end with exactly 10,000.
//
// Set-up runs in process on a fresh demo government: 10,000 citizen accounts in one transaction.
// Then the release server starts, every citizen signs in (a bearer token each), and the phases
// run against it: the plaintext ceiling (/ping), filing, and signing. Each is reported as a rate,
// its latency percentiles and its ratio to /ping measured in the same run.
//
// Run by Benchmarks/epeople.sh; settings from the environment (EPEOPLE_*; NARA_DATABASE_URL for PostgreSQL).
import BenchmarkSupport
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import NaraApp
import NaraCore
#if canImport(Glibc)
import Glibc
#endif

enum EPeople {
    static let env = ProcessInfo.processInfo.environment
    static let dataDirectory = env["EPEOPLE_DATA"] ?? "/tmp/nara-epeople"
    static let port = Benchmark.setting("EPEOPLE_PORT", 18192)
    static let citizens = Benchmark.setting("EPEOPLE_CITIZENS", 10_000)
    static let repeats = Benchmark.setting("EPEOPLE_REPEATS", 2_000)
    static let connections = Benchmark.setting("EPEOPLE_CONNECTIONS", 64)
    static let seconds = Double(Benchmark.setting("EPEOPLE_SECONDS", 30))
    static let pingSeconds = Double(Benchmark.setting("EPEOPLE_PING_SECONDS", 10))
    static let password = "epeople-benchmark-2026"
    static func log(_ message: String) { Benchmark.log(message) }

    /// The driver stands for the reverse proxy in front of the portal: it tells each citizen's own
    /// address in X-Forwarded-For, so the sign-in throttle (attempts in flight per address) sees
    /// 10,000 people, not one machine.
    static let serverEnvironment = Benchmark.serverEnvironment(dataDirectory: dataDirectory, port: port, demoSeed: true)
        .merging(["NARA_TRUSTED_PROXIES": "1"]) { $1 }
    static let configuration = try! NaraConfiguration.load(environment: serverEnvironment)
    static let storage = configuration.usesPostgres ? "PostgreSQL" : "SQLite (WAL, synchronous=FULL)"
    static let server = BenchmarkServer(serverPath: env["EPEOPLE_SERVER"] ?? ".build/release/nara", port: port, environment: serverEnvironment,
                                        driverPrefix: "EPEOPLE_")

    static func call(_ method: HTTPMethod, _ path: String, token: String? = nil, body: String? = nil) async -> (Int, Data, Double) {
        await server.call(method, path, token: token, body: body)
    }

    static func json(_ data: Data) -> [String: Any] { Benchmark.json(data) }
    static func percentile(_ values: [Double], _ p: Double) -> Double { Benchmark.percentile(values, p) }

    /// Runs `work(i)` for i in 0..<count on `connections` workers, each taking the next index.
    static func drive<T: Sendable>(_ count: Int, _ work: @escaping @Sendable (Int) async -> T) async -> [T] {
        let next = Counter()
        return await withTaskGroup(of: [T].self) { group in
            for _ in 0..<connections {
                group.addTask {
                    var out: [T] = []
                    while let i = next.take(below: count) { out.append(await work(i)) }
                    return out
                }
            }
            var all: [T] = []
            for await part in group { all.append(contentsOf: part) }
            return all
        }
    }

    /// Runs `work(i)` on `connections` workers until `seconds` have passed.
    static func timed<T: Sendable>(_ seconds: Double, _ work: @escaping @Sendable (Int) async -> T) async -> [T] {
        let end = Date().addingTimeInterval(seconds)
        let next = Counter()
        return await withTaskGroup(of: [T].self) { group in
            for _ in 0..<connections {
                group.addTask {
                    var out: [T] = []
                    while Date() < end, let i = next.take(below: .max) { out.append(await work(i)) }
                    return out
                }
            }
            var all: [T] = []
            for await part in group { all.append(contentsOf: part) }
            return all
        }
    }

    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        func take(below limit: Int) -> Int? {
            lock.lock()
            defer { lock.unlock() }
            guard value < limit else { return nil }
            value += 1
            return value - 1
        }
    }

    static let complaintTexts: [(category: String, title: String, body: String, place: String)] = [
        ("roads", "Pothole in the bus lane", "A pothole about 30 cm wide has opened in the bus lane; scooters swerve around it.", "서울특별시 종로구 종로 129"),
        ("parking", "Cars parked on the school zone", "Cars park on both sides of the school zone between 8 and 9 am.", "서울특별시 종로구 삼일대로 30길"),
        ("noise", "Construction noise after 10 pm", "The building site runs machines until midnight.", "서울특별시 종로구 율곡로 33"),
        ("waste", "Rubbish dumped behind the market", "Bags of rubbish are dumped every night next to the public toilet.", "서울특별시 종로구 인사동길 12"),
        ("transport", "Buses full before the last stop", "Route 7212 buses are full between 7:30 and 8:30; please add buses.", "서울특별시 서대문구 통일로 300"),
        ("tax", "VAT refund not paid", "My VAT refund filed in July is still not paid.", ""),
    ]

    struct Sample: Sendable {
        let status: Int
        let latency: Double
        let counted: Bool
    }

    static func row(_ name: String, _ samples: [Sample], ok: Set<Int>, elapsed: Double, pingRate: Double) -> String {
        let good = samples.filter { ok.contains($0.status) }
        let rate = Double(good.count) / elapsed
        let latencies = good.map(\.latency)
        return "| \(storage) | \(name) | \(good.count) | \(String(format: "%.0f", rate)) | \(String(format: "%.0f", percentile(latencies, 0.5) * 1000)) ms "
            + "| \(String(format: "%.0f", percentile(latencies, 0.99) * 1000)) ms | \(samples.count - good.count) | \(String(format: "%.1f", rate * 100 / pingRate)) % |"
    }

    static func run() async throws {
        if configuration.usesPostgres == false { try? FileManager.default.removeItem(atPath: dataDirectory) }
        // MARK: Set-up, in process: the demo government and the citizens.
        log("set-up: the demo government and \(citizens) citizens, on \(storage)")
        let quiet = Logger(label: "epeople", factory: { _ in SwiftLogNoOpLogHandler() })
        let setup = try await startPlatform(configuration, options: ApplicationOptions(logger: quiet, seedDemo: true))
        let system = AuditActor.system("epeople-setup")
        let usernames = try await setup.db.transaction { tx -> [String] in
            var usernames: [String] = []
            for n in 0..<citizens {
                // Born on one of 28 days of 1960-1999, a serial per person: a well-formed, unique number.
                let year = 60 + n % 40, day = 1 + (n / 40) % 28
                let twelve = String(format: "%02d%02d%02d", year, 1 + (n / 1120) % 12, day) + (n % 2 == 0 ? "1" : "2") + String(format: "%05d", n)
                guard let check = NationalID.legacyCheckDigit(twelve) else { continue }
                let username = "epeople.citizen.\(n)"
                _ = try await setup.identity.createAccount(NewAccount(username: username, password: password, displayName: "Citizen \(n)", kind: .citizen,
                                                                      nationalID: twelve + String(check)), by: system, on: tx)
                usernames.append(username)
            }
            return usernames
        }
        await setup.shutdown()
        guard usernames.count == citizens else { throw NaraError(.internalError, code: .internalError, "only \(usernames.count) citizens were created") }

        // MARK: The server and the sign-ins
        try await server.ensurePortFree()
        log("starting the server")
        let process = try server.start()
        defer { process.terminate() }
        try await server.waitReady(process)
        log("sign-in: \(citizens) tokens")
        let signIns = await drive(citizens) { n -> (Int, String?, String) in
            let (status, data, _) = await server.call(.POST, "/api/v1/auth/token",
                                                      body: "{\"grant_type\":\"password\",\"username\":\"\(usernames[n])\",\"password\":\"\(password)\"}",
                                                      headers: [("X-Forwarded-For", "10.\(n / 65_536 % 256).\(n / 256 % 256).\(n % 256)")])
            return (n, status == 200 ? json(data)["access_token"] as? String : nil, "\(status) \(String(decoding: data.prefix(300), as: UTF8.self))")
        }
        var tokens = Array(repeating: "", count: citizens)
        for (n, token, _) in signIns { if let token { tokens[n] = token } }
        let missing = tokens.filter(\.isEmpty).count
        guard missing == 0 else {
            throw NaraError(.unauthorized, code: .invalidCredentials,
                            "\(missing) citizens could not sign in; first: \(signIns.first { $0.1 == nil }.map(\.2) ?? "")")
        }
        let allTokens = tokens

        // MARK: The plaintext ceiling
        log("plaintext ceiling: \(connections) connections, \(Int(pingSeconds)) s of GET /ping")
        let pingStart = Date()
        let pings = await timed(pingSeconds) { _ in await call(.GET, "/ping").0 == 200 }
        let pingRate = Double(pings.filter { $0 }.count) / Date().timeIntervalSince(pingStart)

        // MARK: Filing
        log("filing: \(connections) connections, \(Int(seconds)) s")
        let fileStart = Date()
        let filed = await timed(seconds) { i -> Sample in
            let t = complaintTexts[i % complaintTexts.count]
            let place = t.place.isEmpty ? "" : ",\"location\":\"\(t.place)\""
            let body = "{\"type\":\"grievance\",\"category\":\"\(t.category)\",\"title\":\"\(t.title) (\(i))\",\"body\":\"\(t.body)\"\(place)}"
            let (status, _, latency) = await call(.POST, "/api/v1/petitions/complaints", token: allTokens[i % allTokens.count], body: body)
            return Sample(status: status, latency: latency, counted: status == 201)
        }
        let fileElapsed = Date().timeIntervalSince(fileStart)

        // MARK: Signing: one petition, every citizen once, repeats at the same time
        let (created, petitionData, _) = await call(.POST, "/api/v1/petitions/e-petitions", token: allTokens[0], body: """
            {"type":"national","title":"Late-night wide-area buses for the capital region","body":"Run wide-area buses until 2 am on the main routes into Seoul.","category":"transport"}
            """)
        guard created == 201, let petition = json(petitionData)["id"] as? String else {
            throw NaraError(.unavailable, code: .unavailable, "petition: \(created) \(String(decoding: petitionData, as: UTF8.self))")
        }
        // Every citizen once (the petitioner, citizen 0, signed at publication: theirs is a repeat),
        // and `repeats` more signatures by citizens who sign again, interleaved with the first ones.
        var order = Array(0..<citizens)
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<repeats { order.insert(Int.random(in: 0..<citizens, using: &rng), at: Int.random(in: 0...order.count, using: &rng)) }
        let signers = order
        log("signing: \(signers.count) signatures (\(citizens) citizens, \(repeats) repeats) on \(connections) connections")
        let signStart = Date()
        let signed = await drive(signers.count) { i -> Sample in
            let (status, data, latency) = await call(.POST, "/api/v1/petitions/e-petitions/\(petition)/signatures", token: allTokens[signers[i]])
            return Sample(status: status, latency: latency, counted: status == 201 && (json(data)["counted"] as? Bool) == true)
        }
        let signElapsed = Date().timeIntervalSince(signStart)
        let (_, finalData, _) = await call(.GET, "/api/v1/petitions/e-petitions/\(petition)")
        let final = json(finalData)["signatures"] as? Int ?? -1
        let counted = signed.filter(\.counted).count

        print("| \(storage) | /ping | \(pings.filter { $0 }.count) | \(String(format: "%.0f", pingRate)) | | | | 100 % |")
        print(row("file a complaint", filed, ok: [201], elapsed: fileElapsed, pingRate: pingRate))
        print(row("sign a petition", signed, ok: [200, 201], elapsed: signElapsed, pingRate: pingRate))
        log("filing errors: \(filed.filter { $0.status != 201 }.count); first: \(filed.first { $0.status != 201 }.map { String($0.status) } ?? "none")")
        log("signing: \(signers.count) sent in \(String(format: "%.1f", signElapsed)) s; counted \(counted) (+1 at publication); repeats answered "
            + "\(signed.filter { $0.status == 200 }.count); errors \(signed.filter { ![200, 201].contains($0.status) }.count)")
        let verdict = final == citizens && signElapsed <= 60 ? "PASS" : "FAIL"
        print("")
        print("\(storage): the petition ends with \(final) signatures (expected \(citizens)); \(signers.count) signatures sent in "
              + "\(String(format: "%.1f", signElapsed)) s: \(verdict)")
        try await Benchmark.client.shutdown()
        if verdict == "FAIL" { exit(2) }
    }
}

do {
    try await EPeople.run()
} catch {
    EPeople.log("failed: \(error)")
    exit(1)
}
