//! What a merchant's HTTP answers say to centime-client (crates/client/src/answer.rs): a 402's
//! PAYMENT-REQUIRED header or JSON body, a refusal's code, a PAYMENT-RESPONSE, and a
//! `centime://pay` link checked against the site's own offer. The input is taken both as a
//! header value (when HTTP allows it) and as a body.

use std::sync::OnceLock;

use super::{assert_printable, check_payment_required, offer};
use centime_client::Error;
use centime_client::answer::{self, MAX_CODE_CHARS};
use centime_client::header::HeaderValue;
use centime_core::ErrorClass;
use centime_protocol::Origin;
use centime_protocol::deeplink::DeepLink;
use centime_protocol::{Amount, PaymentRequired, SettlementResponse};
use url::Url;

/// Where the vector's merchant answers.
fn page() -> &'static Url {
    static U: OnceLock<Url> = OnceLock::new();
    U.get_or_init(|| Url::parse("https://magazine.example/articles/42").expect("a URL"))
}

/// The vector's price.
fn price() -> Amount {
    offer().accepts[0].terms().expect("the vector's terms").price
}

fn check_required(r: Result<PaymentRequired, Error>) {
    match r {
        Ok(pr) => {
            // A site is only ever paid for its own pages.
            assert_eq!(Origin::of(&pr.resource.url).expect("checked"), Origin::of(page().as_str()).expect("a site"));
            check_payment_required(&pr);
        }
        Err(e) => {
            assert_eq!(e.class(), ErrorClass::InvalidInput, "{e}");
            assert_printable(&e.to_string());
        }
    }
}

fn check_code(code: &str) {
    assert!(code.chars().count() <= MAX_CODE_CHARS);
    assert!(code.chars().all(|c| c.is_ascii_graphic() || c == ' '), "{code:?}");
}

/// The checks of one input.
pub fn check(data: &[u8]) {
    if let Ok(h) = HeaderValue::from_bytes(data) {
        check_required(answer::payment_required(page(), Some(&h), None));
        if let Some(code) = answer::rejection_code_in_header(&h) {
            check_code(&code);
        }
        match answer::settlement(Some(&h)) {
            Ok(Some(s)) => {
                let again = SettlementResponse::from_header(&s.to_header().expect("encodes")).expect("decodes");
                assert_eq!(again, s);
            }
            Ok(None) => assert!(h.to_str().is_err(), "a text PAYMENT-RESPONSE was ignored"),
            Err(e) => assert_printable(&e.to_string()),
        }
    }
    if let Ok(h) = HeaderValue::from_bytes(data) {
        let shown = answer::printable(&h);
        assert!(shown.len() <= 200 && shown.bytes().all(|b| b.is_ascii_graphic()), "{shown:?}");
        assert_printable(&answer::asked_again(page(), Some(&h), None, &price()));
    }
    assert_printable(&answer::asked_again(page(), None, Some(data), &price()));
    check_required(answer::payment_required(page(), None, Some(data)));
    if let Some(code) = answer::rejection_code_in_body(data) {
        check_code(&code);
    }

    let Ok(s) = std::str::from_utf8(data) else { return };
    let Ok(DeepLink::Pay { required, return_url }) = DeepLink::parse(s) else { return };
    match answer::check_link_return(&required, return_url.as_ref()) {
        Ok(site) => {
            assert_eq!(Origin::of(&required.resource.url).expect("checked"), site);
            if let Some(r) = &return_url {
                assert_eq!(Origin::of(r.as_str()).expect("checked"), site, "a return address elsewhere");
            }
        }
        Err(e) => assert_printable(&e.to_string()),
    }
    // Against the site's own offer: what is paid is the site's, for terms the link named.
    match answer::confirm_terms(&required, offer().clone(), page()) {
        Ok(narrowed) => {
            assert!(!narrowed.accepts.is_empty());
            assert_eq!(narrowed.resource, offer().resource);
            for a in &narrowed.accepts {
                assert!(offer().accepts.contains(a));
                let t = a.terms().expect("confirmed terms");
                assert!(required.accepts.iter().any(|l| {
                    l.terms().is_ok_and(|lt| lt.price == t.price && l.pay_to == a.pay_to && l.network == a.network)
                }));
            }
        }
        Err(e) => assert!(matches!(e, Error::SiteUnconfirmed(_)), "{e}"),
    }
    // A site answering with the link's own request confirms it exactly when it has payable terms.
    let payable = required.accepts.iter().filter(|a| a.terms().is_ok()).count();
    match answer::confirm_terms(&required, (*required).clone(), page()) {
        Ok(narrowed) => assert_eq!(narrowed.accepts.len(), payable),
        Err(_) => assert_eq!(payable, 0),
    }
}
