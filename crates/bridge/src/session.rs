//! One connection as the app sees it: the hello, then pairing or authenticated requests. No
//! I/O here, so that every refusal is testable without a socket.

use crate::auth::{self, Direction, SeqGuard};
use crate::caller;
use crate::error::{BridgeErrorCode, Error, Result};
use crate::messages::{Control, Envelope, Incoming, Request, VERSION};

/// Refused frames after which the app closes the connection.
pub const MAX_REFUSALS: u32 = 3;

/// Why a frame was refused; sent back unwrapped as `{"type":"error",…}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub code: BridgeErrorCode,
    pub message: String,
}

impl Refusal {
    pub fn new(code: BridgeErrorCode, message: impl Into<String>) -> Self {
        Refusal { code, message: message.into() }
    }

    pub fn to_control(&self) -> Control {
        Control::error(self.code, self.message.clone())
    }
}

/// A connection after its hello: the caller it named and its session nonce.
#[derive(Debug)]
pub struct Session {
    raw: [u8; auth::SESSION_LEN],
    session: String,
    caller: String,
    seq: SeqGuard,
    refusals: u32,
}

impl Session {
    /// Reads the host's hello: a caller other than Centime's extension is refused. The answer
    /// to send is the session's own hello.
    pub fn start(frame: &[u8]) -> std::result::Result<(Session, Control), Refusal> {
        let caller = match Incoming::parse(frame) {
            Ok(Incoming::Control(Control::Hello { v: VERSION, caller: Some(c), .. })) => c,
            Ok(Incoming::Control(Control::Hello { v, .. })) if v != VERSION => {
                return Err(Refusal::new(
                    BridgeErrorCode::BadRequest,
                    format!("protocol version {v} is not {VERSION}"),
                ));
            }
            _ => return Err(Refusal::new(BridgeErrorCode::BadRequest, "the first message must be the host's hello")),
        };
        if !caller::allowed(&caller) {
            return Err(Refusal::new(BridgeErrorCode::UnknownCaller, format!("{caller} is not Centime's extension")));
        }
        let raw = auth::random::<{ auth::SESSION_LEN }>()
            .map_err(|e| Refusal::new(BridgeErrorCode::BadRequest, e.to_string()))?;
        let session = auth::b64(&raw);
        let hello = Control::Hello { v: VERSION, caller: None, session: Some(session.clone()) };
        Ok((Session { raw, session, caller, seq: SeqGuard::default(), refusals: 0 }, hello))
    }

    /// The session nonce as the hello carried it (base64url), which every MAC covers.
    pub fn id(&self) -> &str {
        &self.session
    }

    pub fn caller(&self) -> &str {
        &self.caller
    }

    /// Answers the extension's `pair`: the app's nonce and the code for both screens.
    pub fn pairing(&self, ext_nonce: &str) -> Result<(Control, String)> {
        let ext = auth::unb64(ext_nonce, auth::NONCE_LEN, "the pairing nonce")?;
        let app = auth::random::<{ auth::NONCE_LEN }>()?;
        let code = auth::pairing_code(&self.raw, &ext, &app);
        Ok((Control::Pairing { nonce: auth::b64(&app), code: code.clone() }, code))
    }

    /// Authenticates a request with its pairing's key (`None`: the app knows no such pairing).
    /// Its sequence number is checked only once its MAC verifies, so a forged frame cannot use
    /// up the extension's numbers.
    pub fn open(&mut self, env: &Envelope, key: Option<&[u8]>) -> std::result::Result<Request, Refusal> {
        let Some(key) = key else {
            return Err(Refusal::new(
                BridgeErrorCode::Unpaired,
                "this browser is not paired with Centime (pair it first)",
            ));
        };
        if !auth::verify(key, Direction::Req, &self.session, env.seq, &env.body, &env.mac) {
            return Err(Refusal::new(BridgeErrorCode::BadMac, "the message's MAC does not verify"));
        }
        if !self.seq.accept(env.seq) {
            return Err(Refusal::new(
                BridgeErrorCode::BadMac,
                format!("sequence number {} replayed or out of order", env.seq),
            ));
        }
        serde_json::from_str(&env.body)
            .map_err(|e| Refusal::new(BridgeErrorCode::BadRequest, format!("not a request: {e}")))
    }

    /// Counts a refused frame; true when the connection must now be closed.
    pub fn refused(&mut self) -> bool {
        self.refusals = self.refusals.saturating_add(1);
        self.refusals >= MAX_REFUSALS
    }

    /// An answer to the request numbered `seq`, MACed for the extension.
    pub fn seal(&self, pairing_id: &str, key: &[u8], seq: u64, body: String) -> Envelope {
        let mac = auth::mac(key, Direction::Res, &self.session, seq, &body);
        Envelope { pairing_id: pairing_id.to_owned(), seq, body, mac }
    }
}

/// A request sealed by the extension's side (its TypeScript does the same): for tests and tools.
pub fn seal_request(pairing_id: &str, key: &[u8], session: &str, seq: u64, body: &str) -> Envelope {
    let mac = auth::mac(key, Direction::Req, session, seq, body);
    Envelope { pairing_id: pairing_id.to_owned(), seq, body: body.to_owned(), mac }
}

/// Checks an answer the app sealed (the extension's side).
pub fn open_answer(key: &[u8], session: &str, env: &Envelope) -> Result<serde_json::Value> {
    if !auth::verify(key, Direction::Res, session, env.seq, &env.body, &env.mac) {
        return Err(Error::BadInput("the answer's MAC does not verify".into()));
    }
    Ok(serde_json::from_str(&env.body)?)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn hello(caller: &str) -> Vec<u8> {
        serde_json::to_vec(&Control::Hello { v: 1, caller: Some(caller.into()), session: None }).unwrap()
    }

    #[test]
    fn only_the_extension_gets_a_session() {
        let (s, reply) = Session::start(&hello(&caller::chromium_caller())).unwrap();
        assert!(matches!(reply, Control::Hello { session: Some(ref id), .. } if id == s.id()));
        assert_eq!(auth::unb64(s.id(), 32, "session").unwrap().len(), 32);
        let r = Session::start(&hello("chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/")).unwrap_err();
        assert_eq!(r.code, BridgeErrorCode::UnknownCaller);
        let r = Session::start(br#"{"type":"status"}"#).unwrap_err();
        assert_eq!(r.code, BridgeErrorCode::BadRequest);
    }

    #[test]
    fn requests_are_refused_unpaired_forged_replayed_or_reordered() {
        let (mut s, _) = Session::start(&hello(&caller::firefox_caller())).unwrap();
        let key = [5u8; 32];
        let body = r#"{"id":1,"type":"status"}"#;
        let env = seal_request("p", &key, s.id(), 1, body);
        assert_eq!(s.open(&env, None).unwrap_err().code, BridgeErrorCode::Unpaired);
        assert_eq!(s.open(&env, Some(&[6u8; 32])).unwrap_err().code, BridgeErrorCode::BadMac);
        // A frame sealed for another session is not this one's.
        let other = seal_request("p", &key, "another-session", 1, body);
        assert_eq!(s.open(&other, Some(&key)).unwrap_err().code, BridgeErrorCode::BadMac);
        assert_eq!(s.open(&env, Some(&key)).unwrap().id, 1);
        assert_eq!(s.open(&env, Some(&key)).unwrap_err().code, BridgeErrorCode::BadMac, "replayed");
        let three = seal_request("p", &key, s.id(), 3, r#"{"id":3,"type":"pause"}"#);
        let two = seal_request("p", &key, s.id(), 2, r#"{"id":2,"type":"pause"}"#);
        assert!(s.open(&three, Some(&key)).is_ok());
        assert_eq!(s.open(&two, Some(&key)).unwrap_err().code, BridgeErrorCode::BadMac, "reordered");
        let junk = seal_request("p", &key, s.id(), 4, r#"{"id":4,"type":"transfer"}"#);
        assert_eq!(s.open(&junk, Some(&key)).unwrap_err().code, BridgeErrorCode::BadRequest);
        assert!(!s.refused() && !s.refused() && s.refused());
    }

    #[test]
    fn an_answer_is_sealed_for_the_extension_only() {
        let (s, _) = Session::start(&hello(&caller::chromium_caller())).unwrap();
        let key = [5u8; 32];
        let a = s.seal("p", &key, 9, r#"{"id":9,"ok":true}"#.into());
        assert!(open_answer(&key, s.id(), &a).is_ok());
        // An answer is not a request: the directions are MACed apart.
        let mut as_request = Session::start(&hello(&caller::chromium_caller())).unwrap().0;
        assert!(as_request.open(&a, Some(&key)).is_err());
        let (code_frame, code) = s.pairing(&auth::b64(&[1; 16])).unwrap();
        assert!(matches!(code_frame, Control::Pairing { code: ref c, .. } if *c == code));
        assert!(s.pairing("short").is_err());
    }
}
