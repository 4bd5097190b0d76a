//! Protocol: the wire types shared with the Python side (`graders/`), version 1.
//!
//! Both the pytest plugin ([`results`]) and the measuring harness ([`measure`]) write one JSON
//! event per line to a results channel, starting with a `hello` that names the protocol
//! version. This module knows the shapes of those lines; the check kinds decide what they
//! mean, and the launcher (`contain`) owns the channel and its token.

pub(crate) mod measure;
pub(crate) mod package;
pub(crate) mod results;

use serde::de::DeserializeOwned;

/// The protocol version this pygrade speaks, on every channel.
pub(crate) const VERSION: u32 = 1;

/// A `hello` naming another protocol version: the graders package and pygrade disagree.
#[derive(Debug, thiserror::Error)]
#[error("the {speaker} speaks protocol {found}, this pygrade speaks {VERSION}: {fix}")]
pub(crate) struct Mismatch {
    pub speaker: &'static str,
    pub found: u32,
    pub fix: &'static str,
}

/// The events among `lines`, and the number of the first line that is not an event (or
/// `first_bad`, when the channel already found an earlier one): such a line was not written
/// by pygrade's own code.
pub(crate) fn parse<E: DeserializeOwned>(
    lines: &[String],
    first_bad: Option<usize>,
) -> (Vec<E>, Option<usize>) {
    let mut events = Vec::new();
    let mut garbled = first_bad;
    for (i, line) in lines.iter().enumerate() {
        match serde_json::from_str(line) {
            Ok(event) => events.push(event),
            Err(_) => {
                garbled.get_or_insert(i + 1);
            }
        }
    }
    (events, garbled)
}

#[cfg(test)]
mod tests {
    use super::results::Event;
    use super::*;

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(str::to_string).collect()
    }

    #[test]
    fn events_parse_whatever_else_a_line_holds() {
        let text = "{\"token\": \"t\", \"event\": \"hello\", \"protocol\": 1}\n{\"token\": \"t\", \"event\": \"start\", \"id\": \"x\"}";
        let (events, garbled) = parse::<Event>(&lines(text), None);
        assert_eq!(events.len(), 2);
        assert_eq!(garbled, None);
    }

    #[test]
    fn a_line_that_is_no_event_is_found() {
        let text = "{\"event\": \"hello\", \"protocol\": 1}\n{\"event\": \"nonsense\"}\n{\"event\": \"done\"}\n";
        let (events, garbled) = parse::<Event>(&lines(text), None);
        assert_eq!(events.len(), 2);
        assert_eq!(garbled, Some(2));
    }
}
