//! Small value types the YAML writes as human strings: durations (`"7d"`), schedules
//! (`"every 6h"`), rate limits (`"10/minute"`) and daily time windows (`"02:00-06:00 UTC"`).
//!
//! Each parses when the file is read, so a malformed value is a parse error that names its
//! field, and each writes itself back in the same canonical spelling so a config round-trips.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The unit of a [`HumanDuration`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DurationUnit {
    /// `s`
    Seconds,
    /// `m`
    Minutes,
    /// `h`
    Hours,
    /// `d`
    Days,
}

impl DurationUnit {
    fn seconds(self) -> u64 {
        match self {
            DurationUnit::Seconds => 1,
            DurationUnit::Minutes => 60,
            DurationUnit::Hours => 3_600,
            DurationUnit::Days => 86_400,
        }
    }

    fn suffix(self) -> char {
        match self {
            DurationUnit::Seconds => 's',
            DurationUnit::Minutes => 'm',
            DurationUnit::Hours => 'h',
            DurationUnit::Days => 'd',
        }
    }
}

/// A positive whole number of seconds, minutes, hours or days written `"<n><s|m|h|d>"`,
/// e.g. `"7d"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct HumanDuration {
    amount: u64,
    unit: DurationUnit,
}

impl HumanDuration {
    /// Builds a duration; `None` when `amount` is zero or the total overflows seconds.
    pub fn new(amount: u64, unit: DurationUnit) -> Option<Self> {
        if amount == 0 {
            return None;
        }
        amount.checked_mul(unit.seconds())?;
        Some(Self { amount, unit })
    }

    /// A compile-time default; `amount` must be non-zero and small enough not to overflow.
    pub(super) const fn constant(amount: u64, unit: DurationUnit) -> Self {
        Self { amount, unit }
    }

    /// The duration in seconds.
    pub fn as_secs(self) -> u64 {
        // `new` and `from_str` refuse values whose product overflows.
        self.amount.saturating_mul(self.unit.seconds())
    }
}

impl FromStr for HumanDuration {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let invalid = || format!("`{text}` is not a duration like `30s`, `15m`, `6h` or `7d`");
        let trimmed = text.trim();
        let unit = match trimmed.chars().last() {
            Some('s') => DurationUnit::Seconds,
            Some('m') => DurationUnit::Minutes,
            Some('h') => DurationUnit::Hours,
            Some('d') => DurationUnit::Days,
            _ => return Err(invalid()),
        };
        let digits = &trimmed[..trimmed.len() - 1];
        if digits.is_empty() || !digits.bytes().all(|byte| byte.is_ascii_digit()) {
            return Err(invalid());
        }
        let amount: u64 = digits.parse().map_err(|_| invalid())?;
        HumanDuration::new(amount, unit)
            .ok_or_else(|| format!("`{text}` must be a positive duration that fits in seconds"))
    }
}

impl TryFrom<String> for HumanDuration {
    type Error = String;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        text.parse()
    }
}

impl From<HumanDuration> for String {
    fn from(duration: HumanDuration) -> Self {
        duration.to_string()
    }
}

impl fmt::Display for HumanDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.amount, self.unit.suffix())
    }
}

/// A fixed-interval schedule written `"every <duration>"`, e.g. `"every 6h"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Schedule {
    every: HumanDuration,
}

impl Schedule {
    /// A schedule running once per `every`.
    pub fn every(every: HumanDuration) -> Self {
        Self { every }
    }

    /// Seconds between two runs.
    pub fn interval_secs(self) -> u64 {
        self.every.as_secs()
    }
}

impl FromStr for Schedule {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let rest = text
            .trim()
            .strip_prefix("every ")
            .ok_or_else(|| format!("`{text}` is not a schedule like `every 6h`"))?;
        Ok(Self {
            every: rest.parse()?,
        })
    }
}

impl TryFrom<String> for Schedule {
    type Error = String;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        text.parse()
    }
}

impl From<Schedule> for String {
    fn from(schedule: Schedule) -> Self {
        schedule.to_string()
    }
}

impl fmt::Display for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "every {}", self.every)
    }
}

/// The window of a [`RateLimit`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RatePeriod {
    /// `second`
    Second,
    /// `minute`
    Minute,
    /// `hour`
    Hour,
    /// `day`
    Day,
}

impl RatePeriod {
    /// Length of the window in seconds.
    pub fn as_secs(self) -> u64 {
        match self {
            RatePeriod::Second => 1,
            RatePeriod::Minute => 60,
            RatePeriod::Hour => 3_600,
            RatePeriod::Day => 86_400,
        }
    }

    fn name(self) -> &'static str {
        match self {
            RatePeriod::Second => "second",
            RatePeriod::Minute => "minute",
            RatePeriod::Hour => "hour",
            RatePeriod::Day => "day",
        }
    }
}

/// At most `requests` per window, written `"<n>/<second|minute|hour|day>"`, e.g. `"10/minute"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RateLimit {
    /// Requests allowed per window; at least 1.
    pub requests: u32,
    /// The window.
    pub period: RatePeriod,
}

impl FromStr for RateLimit {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let invalid = || format!("`{text}` is not a rate like `10/minute`");
        let (count, period) = text.trim().split_once('/').ok_or_else(invalid)?;
        let requests: u32 = count.trim().parse().map_err(|_| invalid())?;
        if requests == 0 {
            return Err(format!("`{text}` must allow at least 1 request"));
        }
        let period = match period.trim() {
            "second" => RatePeriod::Second,
            "minute" => RatePeriod::Minute,
            "hour" => RatePeriod::Hour,
            "day" => RatePeriod::Day,
            _ => return Err(invalid()),
        };
        Ok(Self { requests, period })
    }
}

impl TryFrom<String> for RateLimit {
    type Error = String;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        text.parse()
    }
}

impl From<RateLimit> for String {
    fn from(rate: RateLimit) -> Self {
        rate.to_string()
    }
}

impl fmt::Display for RateLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.requests, self.period.name())
    }
}

/// A daily UTC window `"HH:MM-HH:MM UTC"`; a window whose end is before its start wraps past
/// midnight (`"22:00-04:00 UTC"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TimeWindow {
    start_minute: u16,
    end_minute: u16,
}

impl TimeWindow {
    /// Whether `minute_of_day` (0..1440, UTC) falls inside the window (start inclusive, end
    /// exclusive).
    pub fn contains(self, minute_of_day: u16) -> bool {
        if self.start_minute <= self.end_minute {
            (self.start_minute..self.end_minute).contains(&minute_of_day)
        } else {
            minute_of_day >= self.start_minute || minute_of_day < self.end_minute
        }
    }
}

fn parse_clock(text: &str) -> Option<u16> {
    let (hours, minutes) = text.split_once(':')?;
    if hours.len() != 2 || minutes.len() != 2 {
        return None;
    }
    let hours: u16 = hours.parse().ok()?;
    let minutes: u16 = minutes.parse().ok()?;
    (hours < 24 && minutes < 60).then_some(hours * 60 + minutes)
}

impl FromStr for TimeWindow {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let invalid = || format!("`{text}` is not a window like `02:00-06:00 UTC`");
        let clocks = text.trim().strip_suffix(" UTC").ok_or_else(invalid)?;
        let (start, end) = clocks.split_once('-').ok_or_else(invalid)?;
        let start_minute = parse_clock(start).ok_or_else(invalid)?;
        let end_minute = parse_clock(end).ok_or_else(invalid)?;
        if start_minute == end_minute {
            return Err(format!("`{text}` is an empty window"));
        }
        Ok(Self {
            start_minute,
            end_minute,
        })
    }
}

impl TryFrom<String> for TimeWindow {
    type Error = String;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        text.parse()
    }
}

impl From<TimeWindow> for String {
    fn from(window: TimeWindow) -> Self {
        window.to_string()
    }
}

impl fmt::Display for TimeWindow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:02}:{:02}-{:02}:{:02} UTC",
            self.start_minute / 60,
            self.start_minute % 60,
            self.end_minute / 60,
            self.end_minute % 60
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_and_print_canonically() {
        let week: HumanDuration = "7d".parse().unwrap();
        assert_eq!(week.as_secs(), 7 * 86_400);
        assert_eq!(week.to_string(), "7d");
        assert_eq!("90s".parse::<HumanDuration>().unwrap().as_secs(), 90);
        for bad in [
            "",
            "d",
            "7",
            "7w",
            "-1h",
            "0h",
            "1.5h",
            "99999999999999999999d",
        ] {
            assert!(bad.parse::<HumanDuration>().is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn schedules_need_the_every_prefix() {
        let schedule: Schedule = "every 6h".parse().unwrap();
        assert_eq!(schedule.interval_secs(), 6 * 3_600);
        assert_eq!(schedule.to_string(), "every 6h");
        assert!("6h".parse::<Schedule>().is_err());
        assert!("every".parse::<Schedule>().is_err());
    }

    #[test]
    fn rate_limits_parse_and_print() {
        let rate: RateLimit = "10/minute".parse().unwrap();
        assert_eq!(rate.requests, 10);
        assert_eq!(rate.period.as_secs(), 60);
        assert_eq!(rate.to_string(), "10/minute");
        for bad in ["10", "0/minute", "10/fortnight", "x/minute"] {
            assert!(bad.parse::<RateLimit>().is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn time_windows_wrap_past_midnight() {
        let night: TimeWindow = "22:00-04:00 UTC".parse().unwrap();
        assert!(night.contains(23 * 60));
        assert!(night.contains(60));
        assert!(!night.contains(12 * 60));
        let early: TimeWindow = "02:00-06:00 UTC".parse().unwrap();
        assert!(early.contains(2 * 60));
        assert!(!early.contains(6 * 60));
        assert_eq!(early.to_string(), "02:00-06:00 UTC");
        for bad in [
            "02:00-06:00",
            "2:00-06:00 UTC",
            "24:00-01:00 UTC",
            "05:00-05:00 UTC",
        ] {
            assert!(bad.parse::<TimeWindow>().is_err(), "{bad:?} accepted");
        }
    }
}
