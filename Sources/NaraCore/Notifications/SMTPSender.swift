import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// Parsed `NARA_SMTP_URL`: `smtp://[user:password@]host[:port]?from=address` or `smtps://...` (implicit TLS).
public struct SMTPSettings: Sendable, Equatable {
    public struct Invalid: Error { public let message: String }

    public let host: String
    public let port: Int
    public let implicitTLS: Bool
    public let username: String?
    public let password: String?
    public let from: String

    public init(url text: String) throws(Invalid) {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              scheme == "smtp" || scheme == "smtps", let host = components.host, !host.isEmpty
        else { throw Invalid(message: "must look like smtp://user:password@host:587?from=noreply@example.kr") }
        self.host = host
        self.implicitTLS = scheme == "smtps"
        self.port = components.port ?? (implicitTLS ? 465 : 25)
        self.username = components.user?.removingPercentEncoding
        self.password = components.password?.removingPercentEncoding
        guard let from = components.queryItems?.first(where: { $0.name == "from" })?.value, from.contains("@") else {
            throw Invalid(message: "needs a sender address as ?from=noreply@example.kr")
        }
        self.from = from
    }
}

/// Mailbox syntax Nara accepts (a practical subset of RFC 5321): printable ASCII without spaces,
/// angle brackets, quotes or separators, one `@`, a dotted domain. Nothing that could end an SMTP
/// command line or a mail header gets through.
public enum EmailAddress {
    public static func isValid(_ text: String) -> Bool {
        guard text.count <= 254, text.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F && !"<>()[]\\,;:\"".unicodeScalars.contains($0) })
        else { return false }
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[0].count <= 64 else { return false }
        let domain = parts[1]
        return domain.contains(".") && !domain.hasPrefix(".") && !domain.hasSuffix(".") && !domain.contains("..")
    }
}

public struct SMTPError: Error, CustomStringConvertible {
    public let description: String
    public init(description: String) { self.description = description }
}

/// A small SMTP client (RFC 5321) for outbox e-mail: EHLO, optional AUTH PLAIN, one message per
/// connection, UTF-8 subject (RFC 2047) and base64 body. SMS goes to the fallback sender.
public struct SMTPSender: MessageSender {
    let settings: SMTPSettings
    let fallback: any MessageSender
    let timeout: TimeAmount

    public init(settings: SMTPSettings, fallback: any MessageSender, timeout: TimeAmount = .seconds(30)) {
        self.settings = settings
        self.fallback = fallback
        self.timeout = timeout
    }

    public func send(_ message: OutgoingMessage) async throws {
        guard message.channel == .email else { return try await fallback.send(message) }
        guard EmailAddress.isValid(message.recipient), EmailAddress.isValid(settings.from) else {
            throw SMTPError(description: "refusing to send to a malformed address")
        }
        let timeout = self.timeout
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.converse(message) }
            group.addTask {
                try await Task.sleep(for: .nanoseconds(timeout.nanoseconds))
                throw SMTPError(description: "SMTP server did not finish within \(timeout.nanoseconds / 1_000_000_000) s")
            }
            try await group.next()
            group.cancelAll()
        }
    }

    private func converse(_ message: OutgoingMessage) async throws {
        let settings = self.settings
        let sslContext = try NIOSSLContext(configuration: .makeClientConfiguration())
        let implicitTLS = settings.implicitTLS
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(timeout)
            .connect(host: settings.host, port: settings.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if implicitTLS {
                        try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: sslContext, serverHostname: settings.host))
                    }
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        let underlying = channel.channel
        try await channel.executeThenClose { inbound, outbound in
            var session = SMTPConversation(iterator: inbound.makeAsyncIterator(), outbound: outbound)
            try await session.expect(220)
            var capabilities = try await session.command("EHLO nara.local", expect: 250)
            var encrypted = implicitTLS
            if !encrypted && capabilities.contains(where: { $0.uppercased().hasPrefix("STARTTLS") }) {
                _ = try await session.command("STARTTLS", expect: 220)
                try await underlying.pipeline.addHandler(try NIOSSLClientHandler(context: sslContext, serverHostname: settings.host), position: .first)
                encrypted = true
                capabilities = try await session.command("EHLO nara.local", expect: 250)
            }
            if let user = settings.username, let password = settings.password {
                // A password never crosses the network in clear; loopback relays are the exception.
                guard encrypted || Self.isLoopback(settings.host) else {
                    throw SMTPError(description: "the SMTP server offers no TLS; refusing to send the password in clear")
                }
                let token = Data(("\0" + user + "\0" + password).utf8).base64EncodedString()
                _ = try await session.command("AUTH PLAIN " + token, expect: 235)
            }
            _ = try await session.command("MAIL FROM:<\(settings.from)>", expect: 250)
            _ = try await session.command("RCPT TO:<\(message.recipient)>", expect: 250, 251)
            _ = try await session.command("DATA", expect: 354)
            try await session.write(Self.render(message, from: settings.from) + ".\r\n")
            _ = try await session.expect(250)
            _ = try? await session.command("QUIT", expect: 221)
        }
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    static func encodedWord(_ text: String) -> String {
        text.allSatisfy({ $0.isASCII && !$0.isNewline }) ? text : "=?UTF-8?B?" + Data(text.utf8).base64EncodedString() + "?="
    }

    /// The message with headers, base64 body in 76-character lines, CRLF line ends.
    static func render(_ message: OutgoingMessage, from: String) -> String {
        let date = Date().formatted(Date.VerbatimFormatStyle(format: "\(weekday: .abbreviated), \(day: .twoDigits) \(month: .abbreviated) \(year: .defaultDigits) \(hour: .twoDigits(clock: .twentyFourHour, hourCycle: .zeroBased)):\(minute: .twoDigits):\(second: .twoDigits) +0000", locale: Locale(identifier: "en_US_POSIX"), timeZone: TimeZone(identifier: "UTC")!, calendar: Calendar(identifier: .gregorian)))
        let body = Data(message.body.utf8).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        let subject = message.subject.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
        return [
            "From: Nara <\(from)>",
            "To: <\(message.recipient)>",
            "Subject: \(encodedWord(subject))",
            "Date: \(date)",
            "Message-ID: <\(UUID().uuidString.lowercased())@nara>",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=UTF-8",
            "Content-Transfer-Encoding: base64",
            "",
            body,
            "",
        ].joined(separator: "\r\n")
    }
}

private struct SMTPConversation {
    var iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    var pending = ""

    init(iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator, outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>) {
        self.iterator = iterator
        self.outbound = outbound
    }

    mutating func write(_ text: String) async throws {
        try await outbound.write(ByteBuffer(string: text))
    }

    /// Sends one command line and reads the reply; returns the reply's text lines.
    mutating func command(_ line: String, expect codes: Int...) async throws -> [String] {
        try await write(line + "\r\n")
        return try await expect(codes)
    }

    @discardableResult
    mutating func expect(_ codes: Int...) async throws -> [String] { try await expect(codes) }

    mutating func expect(_ codes: [Int]) async throws -> [String] {
        // A reply is one or more lines "NNN-text" ending with "NNN text".
        var texts: [String] = []
        while true {
            let line = try await readLine()
            guard line.count >= 3, let code = Int(line.prefix(3)) else { throw SMTPError(description: "unexpected SMTP reply '\(line)'") }
            texts.append(String(line.dropFirst(4)))
            let isLast = line.count == 3 || line[line.index(line.startIndex, offsetBy: 3)] == " "
            if isLast {
                guard codes.contains(code) else { throw SMTPError(description: "SMTP server answered '\(line)'") }
                return texts
            }
        }
    }

    mutating func readLine() async throws -> String {
        while true {
            if let range = pending.range(of: "\r\n") {
                let line = String(pending[..<range.lowerBound])
                pending = String(pending[range.upperBound...])
                return line
            }
            guard var buffer = try await iterator.next() else { throw SMTPError(description: "SMTP server closed the connection") }
            pending += buffer.readString(length: buffer.readableBytes) ?? ""
        }
    }
}
