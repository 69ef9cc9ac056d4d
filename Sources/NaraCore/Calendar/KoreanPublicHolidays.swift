/// Korean public holidays (관공서의 공휴일에 관한 규정) for 2026 and 2027, with the substitute
/// holidays the regulation grants and the 3 June 2026 local election day. Lunar dates follow
/// the Korea Astronomy and Space Science Institute calendar (Seollal 2027 is 7 February in Korea).
/// Operators add further days (temporary holidays, newly designated days) in the console.
public enum KoreanPublicHolidays {
    public struct Entry: Sendable {
        public let day: String
        public let nameEN: String
        public let nameKO: String
        public let kind: HolidayKind
    }

    public static let y2026And2027: [Entry] = [
        Entry(day: "2026-01-01", nameEN: "New Year's Day", nameKO: "신정", kind: .publicHoliday),
        Entry(day: "2026-02-16", nameEN: "Seollal (Lunar New Year) holiday", nameKO: "설날 연휴", kind: .publicHoliday),
        Entry(day: "2026-02-17", nameEN: "Seollal (Lunar New Year)", nameKO: "설날", kind: .publicHoliday),
        Entry(day: "2026-02-18", nameEN: "Seollal (Lunar New Year) holiday", nameKO: "설날 연휴", kind: .publicHoliday),
        Entry(day: "2026-03-01", nameEN: "Independence Movement Day", nameKO: "삼일절", kind: .publicHoliday),
        Entry(day: "2026-03-02", nameEN: "Substitute holiday (Independence Movement Day)", nameKO: "대체공휴일(삼일절)", kind: .substitute),
        Entry(day: "2026-05-05", nameEN: "Children's Day", nameKO: "어린이날", kind: .publicHoliday),
        Entry(day: "2026-05-24", nameEN: "Buddha's Birthday", nameKO: "부처님오신날", kind: .publicHoliday),
        Entry(day: "2026-05-25", nameEN: "Substitute holiday (Buddha's Birthday)", nameKO: "대체공휴일(부처님오신날)", kind: .substitute),
        Entry(day: "2026-06-03", nameEN: "Local elections day", nameKO: "전국동시지방선거일", kind: .election),
        Entry(day: "2026-06-06", nameEN: "Memorial Day", nameKO: "현충일", kind: .publicHoliday),
        Entry(day: "2026-08-15", nameEN: "Liberation Day", nameKO: "광복절", kind: .publicHoliday),
        Entry(day: "2026-08-17", nameEN: "Substitute holiday (Liberation Day)", nameKO: "대체공휴일(광복절)", kind: .substitute),
        Entry(day: "2026-09-24", nameEN: "Chuseok holiday", nameKO: "추석 연휴", kind: .publicHoliday),
        Entry(day: "2026-09-25", nameEN: "Chuseok", nameKO: "추석", kind: .publicHoliday),
        Entry(day: "2026-09-26", nameEN: "Chuseok holiday", nameKO: "추석 연휴", kind: .publicHoliday),
        Entry(day: "2026-10-03", nameEN: "National Foundation Day", nameKO: "개천절", kind: .publicHoliday),
        Entry(day: "2026-10-05", nameEN: "Substitute holiday (National Foundation Day)", nameKO: "대체공휴일(개천절)", kind: .substitute),
        Entry(day: "2026-10-09", nameEN: "Hangeul Day", nameKO: "한글날", kind: .publicHoliday),
        Entry(day: "2026-12-25", nameEN: "Christmas Day", nameKO: "기독탄신일", kind: .publicHoliday),
        Entry(day: "2027-01-01", nameEN: "New Year's Day", nameKO: "신정", kind: .publicHoliday),
        Entry(day: "2027-02-06", nameEN: "Seollal (Lunar New Year) holiday", nameKO: "설날 연휴", kind: .publicHoliday),
        Entry(day: "2027-02-07", nameEN: "Seollal (Lunar New Year)", nameKO: "설날", kind: .publicHoliday),
        Entry(day: "2027-02-08", nameEN: "Seollal (Lunar New Year) holiday", nameKO: "설날 연휴", kind: .publicHoliday),
        Entry(day: "2027-02-09", nameEN: "Substitute holiday (Seollal)", nameKO: "대체공휴일(설날)", kind: .substitute),
        Entry(day: "2027-03-01", nameEN: "Independence Movement Day", nameKO: "삼일절", kind: .publicHoliday),
        Entry(day: "2027-05-05", nameEN: "Children's Day", nameKO: "어린이날", kind: .publicHoliday),
        Entry(day: "2027-05-13", nameEN: "Buddha's Birthday", nameKO: "부처님오신날", kind: .publicHoliday),
        Entry(day: "2027-06-06", nameEN: "Memorial Day", nameKO: "현충일", kind: .publicHoliday),
        Entry(day: "2027-08-15", nameEN: "Liberation Day", nameKO: "광복절", kind: .publicHoliday),
        Entry(day: "2027-08-16", nameEN: "Substitute holiday (Liberation Day)", nameKO: "대체공휴일(광복절)", kind: .substitute),
        Entry(day: "2027-09-14", nameEN: "Chuseok holiday", nameKO: "추석 연휴", kind: .publicHoliday),
        Entry(day: "2027-09-15", nameEN: "Chuseok", nameKO: "추석", kind: .publicHoliday),
        Entry(day: "2027-09-16", nameEN: "Chuseok holiday", nameKO: "추석 연휴", kind: .publicHoliday),
        Entry(day: "2027-10-03", nameEN: "National Foundation Day", nameKO: "개천절", kind: .publicHoliday),
        Entry(day: "2027-10-04", nameEN: "Substitute holiday (National Foundation Day)", nameKO: "대체공휴일(개천절)", kind: .substitute),
        Entry(day: "2027-10-09", nameEN: "Hangeul Day", nameKO: "한글날", kind: .publicHoliday),
        Entry(day: "2027-10-11", nameEN: "Substitute holiday (Hangeul Day)", nameKO: "대체공휴일(한글날)", kind: .substitute),
        Entry(day: "2027-12-25", nameEN: "Christmas Day", nameKO: "기독탄신일", kind: .publicHoliday),
        Entry(day: "2027-12-27", nameEN: "Substitute holiday (Christmas Day)", nameKO: "대체공휴일(기독탄신일)", kind: .substitute),
    ]
}
