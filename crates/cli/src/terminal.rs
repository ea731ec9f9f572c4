//! What the CLI shows a person at a terminal of what others wrote.
//!
//! The protocol cleans a merchant's text as it is read (`centime_protocol::text`), but a wallet
//! written before it did may hold raw text, and messages quote URLs and refusals: nothing is
//! printed without passing through here. A hidden character (control, bidi, zero-width) never
//! reaches the terminal; JSON keeps it, escaped, so that scripts still get the value.

use std::borrow::Cow;
use std::fmt::Write as _;

use centime_core::Quote;
use centime_protocol::text;

/// One field on one line: breaks as spaces, hidden characters dropped.
pub fn field(s: &str) -> Cow<'_, str> {
    text::printable(s)
}

/// A message the CLI composed, of one or more lines, which may quote others' text.
pub fn message(s: &str) -> Cow<'_, str> {
    text::printable_lines(s)
}

/// A URL as a person should read it: its parsed form (the host in ASCII, punycode for a name
/// in other scripts, so that a look-alike shows as what it is; the rest percent-encoded), or
/// the field cleaned when it does not parse.
pub fn url(s: &str) -> Cow<'_, str> {
    match url::Url::parse(s.trim()) {
        Ok(u) => Cow::Owned(u.to_string()),
        Err(_) => field(s),
    }
}

/// A JSON value printed for scripts: every hidden character escaped (`\u202e`), which the
/// JSON means the same but a terminal does not obey. serde_json escapes C0 controls itself;
/// DEL, C1 and the Unicode format characters it writes as they are. Outside strings,
/// serialized JSON is ASCII punctuation, digits and letters: a hidden character can only be
/// inside a string, where the escape stands for it.
pub fn json(v: &serde_json::Value) -> String {
    escaped(&v.to_string()).into_owned()
}

/// `s` with every hidden character but `\n` written as a JSON escape (`\u202e`; a pair of
/// them beyond U+FFFF): lossless in JSON, and visible rather than obeyed in any other text.
pub fn escaped(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| c != '\n' && text::is_hidden(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if c != '\n' && text::is_hidden(c) {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                let _ = write!(out, "\\u{u:04x}");
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A writer for a stream of lines bound for a terminal (an export without `--out`): each line
/// goes out [`escaped`]. Lines are whole when they reach the inner writer, so a character is
/// never split; call [`std::io::Write::flush`] at the end for a last line without `\n`.
#[derive(Debug)]
pub struct Inert<W: std::io::Write> {
    inner: W,
    line: Vec<u8>,
}

impl<W: std::io::Write> Inert<W> {
    pub fn new(inner: W) -> Self {
        Inert { inner, line: Vec::new() }
    }

    fn emit(&mut self) -> std::io::Result<()> {
        let line = String::from_utf8_lossy(&self.line);
        self.inner.write_all(escaped(&line).as_bytes())?;
        self.line.clear();
        Ok(())
    }
}

impl<W: std::io::Write> std::io::Write for Inert<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut rest = buf;
        while let Some(i) = rest.iter().position(|b| *b == b'\n') {
            self.line.extend_from_slice(&rest[..=i]);
            self.emit()?;
            rest = &rest[i + 1..];
        }
        self.line.extend_from_slice(rest);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if !self.line.is_empty() {
            self.emit()?;
        }
        self.inner.flush()
    }
}

/// The approval prompt for `q`, asked because of `reason`, up to the question itself: one
/// line per item, whatever the merchant wrote.
pub fn prompt(q: &Quote, reason: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "\n  {}", field(q.origin.as_str()));
    // The certified name, when there is one, is the one that says who is paid: the page's own
    // `merchantName` is only its claim.
    match &q.merchant {
        Some(m) => {
            let _ = writeln!(out, "  merchant   {}", field(&m.name));
            let _ = writeln!(out, "  verified   by {}", field(&m.issuer));
        }
        None => {
            if let Some(m) = &q.merchant_name {
                let _ = writeln!(out, "  merchant   {}", field(m));
            }
            let _ = writeln!(out, "  verified   no: not verified by your issuer");
        }
    }
    let page = match q.description.as_deref().map(field).filter(|d| !d.trim().is_empty()) {
        Some(d) => d,
        None => url(&q.resource),
    };
    let _ = writeln!(out, "  page       {page}");
    let _ = writeln!(out, "  price      {}", q.amount);
    let _ = writeln!(out, "  balance    {} {} after paying", q.balance_after, q.amount.asset);
    if let Some(until) = q.held_until.filter(|_| q.held.get() > 0) {
        let until = centime_core::history::rfc3339(until);
        let _ = writeln!(out, "  held       {} {} until {until} (refunds not spendable yet)", q.held, q.amount.asset);
    }
    if let Some(left) = q.evaluation.allowance_left {
        let _ = writeln!(out, "  allowance  {left} {} left for this site", q.amount.asset);
    }
    let _ = writeln!(out, "  why asked  {}", field(reason));
    let _ = write!(out, "Pay {}? [y/N] ", q.amount);
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use centime_core::policy::{Decision, Evaluation, Reason, ReasonCode};
    use centime_protocol::{Amount, Asset, Micros};

    use super::*;

    fn quote(resource: &str, description: Option<&str>, merchant_name: Option<&str>) -> Quote {
        let origin = centime_protocol::Origin::of(resource).unwrap();
        Quote {
            origin: origin.clone(),
            resource: resource.into(),
            description: description.map(str::to_owned),
            merchant_name: merchant_name.map(str::to_owned),
            merchant: None,
            pay_to: "merchant".into(),
            network: "centime:demo".parse().unwrap(),
            amount: Amount::new(Micros::from_micros(500_000), Asset::EUR),
            balance: Micros::from_micros(1_000_000),
            balance_after: Micros::from_micros(500_000),
            held: Micros::ZERO,
            held_until: None,
            approval: centime_core::Approval {
                offer: 0,
                resource: resource.into(),
                pay_to: "merchant".into(),
                network: "centime:demo".parse().unwrap(),
                amount: Amount::new(Micros::from_micros(500_000), Asset::EUR),
                offer_digest: String::new(),
            },
            expires_at: 0,
            evaluation: Evaluation {
                decision: Decision::Ask(Reason::bare(ReasonCode::NoRule)),
                origin,
                rule: None,
                spent_today: Micros::from_micros(0),
                site_spent_in_period: None,
                allowance_left: None,
            },
        }
    }

    /// C0/C1 controls but the prompt's own line ends, bidi controls, zero-width characters.
    fn hidden(c: char) -> bool {
        (c.is_control() && c != '\n')
            || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}')
            || matches!(c, '\u{061C}' | '\u{FEFF}')
    }

    #[test]
    fn the_prompt_shows_no_hidden_character_of_the_merchant() {
        // Built by hand, as an older wallet's stored request would give it: not cleaned.
        let q = quote(
            "https://news.example/a",
            Some("Article\u{1b}[2K\u{1b}[1A\nPrice 0.01 EUR\u{202E}RUE 00.5\u{200B}"),
            Some("News\u{1b}]0;x\u{7}\u{2066}"),
        );
        let p = prompt(&q, "no rule for \u{202E}this site\n");
        assert!(!p.chars().any(hidden), "{p:?}");
        assert_eq!(p.lines().count(), 9, "one line per item: {p:?}");
        assert!(p.contains("\n  page       Article[2K[1A Price 0.01 EURRUE 00.5\n"), "{p:?}");
        assert!(p.contains("\n  merchant   News]0;x\n"), "{p:?}");
        assert!(p.contains("\n  verified   no: not verified by your issuer\n"), "{p:?}");
        assert!(p.ends_with("Pay 0.50 EUR? [y/N] "), "{p:?}");
    }

    #[test]
    fn a_certified_merchant_is_shown_by_its_certified_name_and_issuer() {
        let mut q = quote("https://news.example/a", None, Some("Claimed \u{202E}name"));
        q.merchant = Some(centime_core::CertifiedMerchant {
            name: "The Review\u{1b}[2K".into(),
            pay_to: "merchant".into(),
            receipt_key: centime_protocol::PublicKey([3; 32]),
            issuer: "Demo issuer\u{200B}".into(),
            not_after: 0,
        });
        let p = prompt(&q, "no rule for this site");
        assert!(!p.chars().any(hidden), "{p:?}");
        assert!(p.contains("\n  merchant   The Review[2K\n"), "{p:?}");
        assert!(p.contains("\n  verified   by Demo issuer\n"), "{p:?}");
        assert!(!p.contains("Claimed"), "the page's claim is not shown beside the certified name: {p:?}");
    }

    #[test]
    fn json_escapes_what_a_terminal_would_obey() {
        let v = serde_json::json!({ "d": "a\u{1b}[1A\u{7f}\u{9b}b\u{202E}c\u{E0041}", "n": 1 });
        let printed = json(&v);
        assert!(!printed.chars().any(hidden), "{printed:?}");
        assert_eq!(serde_json::from_str::<serde_json::Value>(&printed).unwrap(), v, "the same value");
        assert!(printed.contains("\\u202e") && printed.contains("\\udb40\\udc41"), "{printed}");
        let plain = serde_json::json!({ "d": "été" });
        assert_eq!(json(&plain), plain.to_string());
    }

    #[test]
    fn an_export_to_the_terminal_shows_hidden_characters_as_escapes() {
        use std::io::Write as _;
        let mut out = Inert::new(Vec::new());
        let text = "1,\"a\u{1b}[2K\nb\u{202E}\",c\r\n2,\u{E0041}é\n3";
        // Byte by byte: a character split across writes comes out whole.
        for b in text.as_bytes() {
            out.write_all(std::slice::from_ref(b)).unwrap();
        }
        out.flush().unwrap();
        let printed = String::from_utf8(out.inner).unwrap();
        assert_eq!(printed, "1,\"a\\u001b[2K\nb\\u202e\",c\\u000d\n2,\\udb40\\udc41é\n3");
    }

    #[test]
    fn a_look_alike_host_is_shown_in_punycode() {
        // Cyrillic 'а' (U+0430) for the Latin 'a': the label mixes scripts.
        let q = quote("https://p\u{430}ypal.com/invoice?x=\u{202E}", None, None);
        assert_eq!(q.origin, "https://xn--pypal-4ve.com");
        let p = prompt(&q, "no rule for this site");
        assert!(p.starts_with("\n  https://xn--pypal-4ve.com\n"), "{p:?}");
        assert!(p.contains("\n  page       https://xn--pypal-4ve.com/invoice?x=%E2%80%AE\n"), "{p:?}");
        assert!(!p.contains('\u{430}') && !p.chars().any(hidden), "{p:?}");
    }
}
