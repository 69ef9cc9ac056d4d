// The deadline rush (issue #5): 1,000 published tenders share one deadline; 5,000 bids from
// 1,000 suppliers arrive over the last 60 seconds, the last 1,000 in the final 5 seconds, then 200
// more after the deadline. The server is killed (SIGKILL) right after the rush and restarted: every
// acknowledged bid must be in the database. Then the clock opens all 1,000 tenders. A capacity
// phase before the rush sends bids as fast as the connections allow, and the machine's durable
// single-row commit rate is measured on the same database in the same run.
//
// Run by Benchmarks/rush.sh; settings from the environment (RUSH_*; NARA_DATABASE_URL for PostgreSQL).
import BenchmarkSupport
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import NaraApp
import NaraCore
import Procurement
#if canImport(Glibc)
import Glibc
#endif

enum Rush {
    static let env = ProcessInfo.processInfo.environment
    static func setting(_ name: String, _ fallback: Int) -> Int { env[name].flatMap(Int.init) ?? fallback }
    static let serverPath = env["RUSH_SERVER"] ?? ".build/release/nara"
    static let dataDirectory = env["RUSH_DATA"] ?? "/tmp/nara-rush"
    static let port = setting("RUSH_PORT", 18190)
    static let tenderCount = setting("RUSH_TENDERS", 1000)
    static let supplierCount = setting("RUSH_SUPPLIERS", 1000)
    static let bidCount = setting("RUSH_BIDS", 5000)
    static let finalCount = setting("RUSH_FINAL", 1000)
    static let lateCount = setting("RUSH_LATE", 200)
    static let window = Double(setting("RUSH_WINDOW", 60))
    static let finalWindow = Double(setting("RUSH_FINAL_WINDOW", 5))
    static let capacityBids = setting("RUSH_CAPACITY", 3000)
    static let capacityConnections = setting("RUSH_CONNECTIONS", 64)
    static let password = "rush-benchmark-2026"

    static func log(_ message: String) { Benchmark.log(message) }

    static let serverEnvironment = Benchmark.serverEnvironment(dataDirectory: dataDirectory, port: port, demoSeed: false)
    static let configuration = try! NaraConfiguration.load(environment: serverEnvironment)
    static let storage = configuration.usesPostgres ? "PostgreSQL" : "SQLite (WAL, synchronous=FULL)"


    static let server = BenchmarkServer(serverPath: serverPath, port: port, environment: serverEnvironment, driverPrefix: "RUSH_")

    struct Outcome: Sendable {
        let scheduled: Date
        let latency: Double
        let status: Int
        let bidID: UUID?
        let detail: String
    }

    static func post(_ path: String, token: String?, body: String, key: String? = nil) async -> (Int, Data, Double) {
        await server.call(.POST, path, token: token, body: body, headers: key.map { [("Idempotency-Key", $0)] } ?? [])
    }

    static func bid(supplier: Int, tender: UUID, price: Int, key: String, tokens: [String], scheduled: Date) async -> Outcome {
        let (status, data, latency) = await post("/api/v1/procurement/tenders/\(tender.uuidString.lowercased())/bids", token: tokens[supplier],
                                                 body: "{\"prices\":{\"1\":\(price)},\"declarations\":[\"no collusion\"]}", key: key)
        var id: UUID?
        if status == 201, let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any], let text = object["bidID"] as? String {
            id = UUID(uuidString: text)
        }
        return Outcome(scheduled: scheduled, latency: latency, status: status, bidID: id,
                       detail: status == 201 ? "" : String(decoding: data.prefix(300), as: UTF8.self))
    }

    static func percentile(_ values: [Double], _ p: Double) -> Double { Benchmark.percentile(values, p) }


    static func run() async throws {
        // MARK: Set-up, in process, with the clock 8 days back so that the tenders were published in time.

        log("set-up: \(supplierCount) suppliers, \(tenderCount) tenders + 100 for the capacity phase, on \(storage)")
        let setupClock = ManualClock(Date().addingTimeInterval(-8 * 86_400))
        let quiet = Logger(label: "rush", factory: { _ in SwiftLogNoOpLogHandler() })
        let setupPlatform = try await startPlatform(configuration, options: ApplicationOptions(clock: setupClock, logger: quiet, seedDemo: false))
        let system = AuditActor.system("rush-setup")
        let (rushTenders, capacityTenders, usernames) = try await setupPlatform.db.transaction { tx -> ([UUID], [UUID], [String]) in
            let platform = setupPlatform
            var usernames: [String] = []
            _ = try await platform.identity.createAgency(NewAgency(code: "1051000", nameEN: "Ministry of Economy and Finance", nameKO: "기획재정부", kind: .ministry,
                                                                   parentCode: nil), by: system, on: tx)
            _ = try await platform.identity.createAgency(NewAgency(code: "1230000", nameEN: "Public Procurement Service", nameKO: "조달청", kind: .agency,
                                                                   parentCode: "1051000"), by: system, on: tx)
            let officerAccount = try await platform.identity.createAccount(NewAccount(username: "rush.officer", password: password, displayName: "Rush officer",
                                                                                      kind: .official, agencyCode: "1230000", extraRoles: ["procurement-officer"]),
                                                                           by: system, on: tx).account
            let officer = platform.identity.actor(for: officerAccount, secondFactorVerified: true)
            var suppliers: [RushSupport.Supplier] = []
            for n in 0..<supplierCount {
                let firstNine = String(500_000_000 + n * 7)
                let number = firstNine + String(BusinessNumber.checkDigit(firstNine)!)
                let username = "rush.supplier.\(n)"
                let account = try await platform.identity.createAccount(NewAccount(username: username, password: password, displayName: "Supplier \(n)",
                                                                                   kind: .business, businessNumber: number, businessName: "Rush Supplier \(n) Co.",
                                                                                   email: "supplier\(n)@rush.example.kr"), by: system, on: tx).account
                suppliers.append(RushSupport.Supplier(accountID: account.id, businessNumber: number, name: "Rush Supplier \(n) Co."))
                usernames.append(username)
            }
            try await RushSupport.registerSuppliers(suppliers, platform: platform, on: tx)
            let placeholder = setupClock.now().addingTimeInterval(8 * 86_400)
            let rush = try await RushSupport.publishTenders(tenderCount, title: "Rush tender", officer: officer, deadline: placeholder, platform: platform, on: tx)
            let capacity = try await RushSupport.publishTenders(100, title: "Capacity tender", officer: officer, deadline: placeholder, platform: platform, on: tx)
            return (rush, capacity, usernames)
        }
        // The deadline: far enough ahead for the server's start, the sign-ins and the capacity phase.
        let deadline = Date().addingTimeInterval(Double(setting("RUSH_LEAD", 120)) + window)
        try await RushSupport.setDeadline(deadline, tenders: rushTenders, on: setupPlatform.db)
        try await RushSupport.setDeadline(deadline.addingTimeInterval(3600), tenders: capacityTenders, on: setupPlatform.db)
        await setupPlatform.shutdown()
        log("deadline \(Timestamp.iso8601Millis(deadline))")

        // MARK: The server


        try await server.ensurePortFree()
        var process = try server.start()
        try await server.waitReady(process)
        log("server ready; signing in \(supplierCount) suppliers")

        let tokens: [String] = try await withThrowingTaskGroup(of: (Int, String).self) { group in
            var result = [String](repeating: "", count: supplierCount)
            var next = 0
            func add(_ n: Int) {
                group.addTask {
                    let (status, data, _) = await post("/api/v1/auth/token", token: nil,
                                                       body: "{\"grant_type\":\"password\",\"username\":\"\(usernames[n])\",\"password\":\"\(password)\"}")
                    guard status == 200, let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any], let token = object["access_token"] as? String else {
                        throw NaraError(.unavailable, code: .unavailable, "sign-in of \(usernames[n]) failed (\(status)): \(String(decoding: data, as: UTF8.self))")
                    }
                    return (n, token)
                }
            }
            while next < min(4, supplierCount) { add(next); next += 1 }  // the sign-in throttle counts attempts in flight per address
            while let (n, token) = try await group.next() {
                result[n] = token
                if next < supplierCount { add(next); next += 1 }
            }
            return result
        }

        // MARK: Capacity: bids as fast as the connections allow (to other tenders)

        log("capacity: \(capacityBids) bids over \(capacityConnections) connections")
        let capacityStart = Date()
        let capacity: [Outcome] = await withTaskGroup(of: Outcome.self) { group in
            var outcomes: [Outcome] = []
            var next = 0
            func add(_ n: Int) {
                group.addTask {
                    await bid(supplier: n % supplierCount, tender: capacityTenders[n % capacityTenders.count], price: 90_000_000 + n, key: "cap-\(n)",
                              tokens: tokens, scheduled: Date())
                }
            }
            while next < min(capacityConnections, capacityBids) { add(next); next += 1 }
            for await outcome in group {
                outcomes.append(outcome)
                if next < capacityBids { add(next); next += 1 }
            }
            return outcomes
        }
        let capacitySeconds = Date().timeIntervalSince(capacityStart)
        let capacityAccepted = capacity.filter { $0.status == 201 }.count
        let capacityRate = Double(capacityAccepted) / capacitySeconds
        log(String(format: "capacity: %d of %d accepted in %.1f s = %.0f bids/s, p99 %.0f ms", capacityAccepted, capacityBids, capacitySeconds, capacityRate,
                   percentile(capacity.map(\.latency), 0.99) * 1000))

        // MARK: The rush

        let windowStart = deadline.addingTimeInterval(-window)
        if Date() > windowStart { log("warning: the rush starts \(Int(Date().timeIntervalSince(windowStart))) s late; raise RUSH_LEAD") }
        var plan: [(supplier: Int, tender: UUID, scheduled: Date, key: String)] = []
        for n in 0..<(bidCount + lateCount) {
            let supplier = n % supplierCount
            // Each supplier bids on different tenders: supplier s on s, s+200, s+400, ... (mod 1,000).
            let tender = rushTenders[(supplier + (n / supplierCount) * 200) % rushTenders.count]
            let offset: Double
            if n < bidCount - finalCount {
                offset = -window + Double(n) / Double(bidCount - finalCount) * (window - finalWindow)
            } else if n < bidCount {
                // The final burst, ending 50 ms before the deadline: the margin for the request to reach the server.
                offset = -finalWindow + Double(n - (bidCount - finalCount)) / Double(finalCount) * (finalWindow - 0.05)
            } else {
                offset = 0.05 + Double(n - bidCount) / Double(max(lateCount, 1)) * 5
            }
            plan.append((supplier, tender, deadline.addingTimeInterval(offset), "rush-\(n)"))
        }
        log("rush: \(bidCount) bids over \(Int(window)) s (the last \(finalCount) in \(Int(finalWindow)) s), then \(lateCount) after the deadline")
        let rush: [Outcome] = await withTaskGroup(of: Outcome.self) { group in
            for (n, entry) in plan.enumerated() {
                group.addTask {
                    let wait = entry.scheduled.timeIntervalSinceNow
                    if wait > 0 { try? await Task.sleep(nanoseconds: UInt64(wait * 1_000_000_000)) }
                    return await bid(supplier: entry.supplier, tender: entry.tender, price: 95_000_000 + n, key: entry.key, tokens: tokens, scheduled: entry.scheduled)
                }
            }
            var outcomes: [Outcome] = []
            for await outcome in group { outcomes.append(outcome) }
            return outcomes
        }
        let onTime = rush.filter { $0.scheduled < deadline }
        let late = rush.filter { $0.scheduled >= deadline }
        let acknowledged = Set((rush + capacity).compactMap { $0.status == 201 ? $0.bidID : nil })
        let onTimeRefused = onTime.filter { $0.status != 201 }.count
        for refused in onTime.filter({ $0.status != 201 }).prefix(10) {
            log(String(format: "on-time bid refused: sent %.3f s before the deadline, status %d after %.0f ms: %@", deadline.timeIntervalSince(refused.scheduled),
                       refused.status, refused.latency * 1000, refused.detail as NSString))
        }
        let lateAccepted = late.filter { $0.status == 201 }.count
        let finalBurst = onTime.filter { $0.scheduled >= deadline.addingTimeInterval(-finalWindow) }
        let rushP99 = percentile(onTime.map(\.latency), 0.99)
        let finalP99 = percentile(finalBurst.map(\.latency), 0.99)
        log(String(format: "rush: on time %d (refused %d), late %d (accepted %d), p99 %.0f ms (final burst %.0f ms)", onTime.count, onTimeRefused, late.count,
                   lateAccepted, rushP99 * 1000, finalP99 * 1000))

        // MARK: Crash, restart, count

        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        log("server killed (SIGKILL); counting stored bids")
        let platform = try await startPlatform(configuration, options: ApplicationOptions(logger: quiet, seedDemo: false, migrationMode: .requireCurrent))
        let stored = try await RushSupport.storedBids(tenders: rushTenders + capacityTenders, on: platform.db)
        let lost = acknowledged.subtracting(stored).count
        log("acknowledged \(acknowledged.count), stored \(stored.count), lost \(lost)")

        process = try server.start()
        let restarted = Date()
        try await server.waitReady(process)
        var progress = try await RushSupport.openingProgress(tenders: rushTenders, on: platform.db)
        while progress.open > 0, Date().timeIntervalSince(restarted) < 600 {
            try await Task.sleep(nanoseconds: 1_000_000_000)
            progress = try await RushSupport.openingProgress(tenders: rushTenders, on: platform.db)
        }
        // From the deadline to the last opening, the crash and the restart included.
        let openingSeconds = progress.last.map { $0.timeIntervalSince(deadline) } ?? -1
        log(String(format: "opening: %d still open; all others opened %.1f s after the deadline (the crash and the restart included; the clock's job runs every 15 s)",
                   progress.open, openingSeconds))
        process.terminate()
        process.waitUntilExit()

        // MARK: The machine's durable commit rate, same database, same run

        let commitRate = try await RushSupport.singleRowCommitRate(seconds: 5, on: platform.db)
        await platform.shutdown()
        try await Benchmark.client.shutdown()


        let finalRate = Double(finalBurst.filter { $0.status == 201 }.count) / finalWindow
        print(String(format: "| %@ | %.0f | %.0f | %.0f %% | %d / %d | %d | %d | %d | %.0f ms | %.0f ms | %d | %.1f s |",
                     storage, capacityRate, commitRate, capacityRate / commitRate * 100, acknowledged.count, stored.count, lost, lateAccepted, onTimeRefused,
                     rushP99 * 1000, finalP99 * 1000, progress.open, openingSeconds))
        print(String(format: "capacity p99 %.0f ms; final burst offered %.0f bids/s", percentile(capacity.map(\.latency), 0.99) * 1000, finalRate))
        let pass = lost == 0 && lateAccepted == 0 && onTimeRefused == 0 && rushP99 < 1 && capacityRate >= 500 && progress.open == 0 && openingSeconds <= 60
        print(pass ? "targets met" : "TARGETS MISSED")

    }
}

do {
    try await Rush.run()
} catch {
    Rush.log("rush failed: \(error)")
    exit(1)
}
