//! Payment requests in the app: building prompts, paying approved ones, showing the result.
//!
//! A request comes from a URL typed into "Open a priced page" (the core fetches it), from a
//! `centime://pay` link (untrusted: confirmed with the site's own 402 first, and its return
//! address must be on the site's origin), or from the paired browser extension (the app fetches
//! the URL that answered 402 in the browser, and reads the offer itself).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use centime_app_models::{
    AlwaysAllowDto, CertifiedMerchantDto, DecisionDto, OpenResultDto, PaymentResultDto, PaymentStatus, PromptDto,
    PromptSource, ReasonParamDto, events,
};
use centime_bridge::messages::{PayAnswer, PayKind, PayOutcome};
use centime_client::{Outcome, Probe, header::HeaderMap};
use centime_core::policy::Decision;
use centime_core::{PayOptions, Payment, SiteChange};
use centime_protocol::PaymentRequired;
use centime_protocol::deeplink::DeepLink;
use tauri::{AppHandle, Emitter as _, Manager as _};
use url::Url;

use crate::convert;
use crate::error::{AppError, AppResult};
use crate::reader;
use crate::state::SharedWallet;
use crate::state::{AppState, PendingPrompt};
use crate::texts;

/// Prompts waiting at once for one site, and in all: a page firing links cannot bury the
/// window under prompts (beyond, a link is refused with a notice).
pub const MAX_PROMPTS_PER_SITE: usize = 3;
pub const MAX_PROMPTS: usize = 10;
/// The main window is brought forward for a prompt or a refused link at most this often.
pub const RAISE_EVERY: Duration = Duration::from_secs(3);
/// A site's refused links are reported at most this often (its first one at once).
pub const REPORT_REFUSALS_EVERY: Duration = Duration::from_secs(10);

/// Builds the prompt for `required` as answered at `url`. A link's or the browser's automatic
/// payment is held to its site's pace (`centime_core::links`): beyond it, the user is asked.
fn prompt_for(
    state: &AppState,
    required: PaymentRequired,
    url: Url,
    return_url: Option<Url>,
    source: PromptSource,
) -> AppResult<PendingPrompt> {
    let (mut quote, now) = state.with_wallet(|w| Ok((w.quote(&required)?, w.now())))?;
    if matches!(source, PromptSource::Link | PromptSource::Browser) {
        state.link_pace().pace(&mut quote.evaluation, now);
    }
    let decision = match &quote.evaluation.decision {
        Decision::AutoPay => DecisionDto::Auto,
        Decision::Ask(_) => DecisionDto::Ask,
        Decision::Refuse(_) => DecisionDto::Refuse,
    };
    let why = quote.evaluation.decision.reason();
    let id = centime_protocol::PaymentId::random()?.to_string();
    let dto = PromptDto {
        id: id.clone(),
        origin: quote.origin.to_string(),
        merchant_name: quote.merchant_name.clone(),
        certified: quote
            .merchant
            .as_ref()
            .map(|m| CertifiedMerchantDto { name: m.name.clone(), issuer: m.issuer.clone() }),
        page_title: quote.description.clone(),
        resource: quote.resource.clone(),
        price: quote.amount.micros.to_string(),
        asset: quote.amount.asset.to_string(),
        network: quote.network.to_string(),
        balance: quote.balance.to_string(),
        balance_after: quote.balance_after.to_string(),
        allowance_left: quote.evaluation.allowance_left.map(|m| m.to_string()),
        allowance_period: quote.evaluation.rule.as_ref().and_then(|r| r.period).map(convert::period),
        decision,
        reason: texts::reason(state.locale(), why, &quote.amount.asset),
        reason_code: why.code,
        reason_params: why.params.iter().map(|p| ReasonParamDto { name: p.name(), value: p.to_string() }).collect(),
        expires_at: quote.expires_at,
        return_url: return_url.as_ref().map(Url::to_string),
        source,
        plain_http: centime_client::reach::is_plain_http(&url),
    };
    Ok(PendingPrompt { dto, required, url, return_url, approval: quote.approval })
}

/// Keeps a prompt waiting for an answer, unless the same page already has one (a link fired
/// again is that prompt) or the site or the app already has as many as they may.
fn admit(state: &AppState, prompt: PendingPrompt) -> AppResult<PromptDto> {
    admit_into(&mut state.prompts(), prompt, state.now()?)
}

fn admit_into(prompts: &mut HashMap<String, PendingPrompt>, prompt: PendingPrompt, t: i64) -> AppResult<PromptDto> {
    prompts.retain(|_, p| p.dto.expires_at > t);
    if let Some(open) = prompts.values().find(|p| p.dto.resource == prompt.dto.resource) {
        return Ok(open.dto.clone());
    }
    let of_site = prompts.values().filter(|p| p.dto.origin == prompt.dto.origin).count();
    if of_site >= MAX_PROMPTS_PER_SITE || prompts.len() >= MAX_PROMPTS {
        return Err(AppError::TooManyPrompts(prompt.dto.origin));
    }
    let dto = prompt.dto.clone();
    prompts.insert(dto.id.clone(), prompt);
    Ok(dto)
}

/// The payment that already pays for this page (settled within its entitlement, or still in
/// flight), if any: the page is read with it, never paid again.
fn already_paid(state: &AppState, resource: &str) -> AppResult<Option<Payment>> {
    state.with_wallet(|w| Ok(w.already_paid(resource)?))
}

/// "Open a priced page": fetch the URL; free pages go to the reader, priced ones to a prompt
/// (or are paid at once when the user's rules say so).
pub fn open_priced_page(app: &AppHandle, state: &Arc<AppState>, url: &str) -> AppResult<OpenResultDto> {
    let url = Url::parse(url.trim()).map_err(|e| AppError::Invalid(format!("{url:?} is not a URL ({e})")))?;
    match state.client.probe(&url, &HeaderMap::new())? {
        Probe::Free { url, body, .. } => {
            reader::show(app, &url, &body)?;
            Ok(OpenResultDto::Free { url: url.to_string() })
        }
        Probe::Priced { url, required } => {
            let entitled = {
                let guard = state.wallet();
                match guard.as_ref() {
                    Some(w) => state.client.read_entitled(w, &url, &HeaderMap::new(), &required)?,
                    None => None,
                }
            };
            if let Some(e) = entitled {
                reader::show(app, &url, &e.body)?;
                return Ok(OpenResultDto::Free { url: url.to_string() });
            }
            if let Some(p) = already_paid(state, &required.resource.url)? {
                let result = deliver_and_show(app, state, &p, &url, None, PromptSource::Typed)?;
                return Ok(OpenResultDto::Paid { result });
            }
            let prompt = prompt_for(state, *required, url, None, PromptSource::Typed)?;
            if prompt.dto.decision == DecisionDto::Auto {
                let result = pay(app, state, prompt, None, false)?;
                return Ok(OpenResultDto::Paid { result });
            }
            Ok(OpenResultDto::Prompt { prompt: Box::new(admit(state, prompt)?) })
        }
    }
}

/// A `centime://` link: top-ups are redeemed; payment requests are confirmed with the site
/// and raise a prompt (or are paid when the rules allow it).
pub fn handle_link(app: &AppHandle, state: &Arc<AppState>, link: &str) -> AppResult<Option<PromptDto>> {
    match DeepLink::parse(link)? {
        DeepLink::Topup { credit } => {
            let t = state.with_wallet(|w| Ok(w.topup(&credit)?))?;
            let _ = app.emit(events::WALLET_CHANGED, ());
            let balance = centime_protocol::Amount::new(t.balance, t.amount.asset);
            crate::notify(app, &texts::topped_up(state.locale(), &t.amount, &balance));
            Ok(None)
        }
        DeepLink::Pay { required, return_url } => {
            let link = state.client.prepare_pay_link(&required, return_url.as_ref())?;
            // A page already paid is read with its payment: a link fired again pays nothing.
            if let Some(p) = already_paid(state, &link.required.resource.url)? {
                deliver_and_show(app, state, &p, &link.url, link.return_url.as_ref(), PromptSource::Link)?;
                return Ok(None);
            }
            let prompt = prompt_for(state, link.required, link.url, link.return_url, PromptSource::Link)?;
            if prompt.dto.decision == DecisionDto::Auto {
                pay(app, state, prompt, None, false)?;
                return Ok(None);
            }
            Ok(Some(admit(state, prompt)?))
        }
        DeepLink::PayRequest { .. } | DeepLink::Receive { .. } | DeepLink::ReceiveCode { .. } => {
            Err(AppError::Invalid("payments between wallets are not handled by this version of the app".into()))
        }
    }
}

/// Pays an approved prompt.
pub fn approve(
    app: &AppHandle,
    state: &Arc<AppState>,
    prompt_id: &str,
    always: Option<AlwaysAllowDto>,
) -> AppResult<PaymentResultDto> {
    let prompt = state.prompts().remove(prompt_id).ok_or(AppError::UnknownPrompt)?;
    if state.now()? >= prompt.dto.expires_at {
        return Err(AppError::Expired);
    }
    let from_browser = prompt.dto.source == PromptSource::Browser;
    let paid = pay_and_deliver(app, state, prompt, always, true);
    // The browser's request waits for this answer, given once the payment was delivered.
    if from_browser {
        let answer = match &paid {
            Ok((payment, _)) => Ok(paid_answer(PayOutcome::Paid, payment)),
            Err(e) => Err(e.dto()),
        };
        state.browser.answer(prompt_id, answer);
    }
    paid.map(|(_, result)| result)
}

fn pay(
    app: &AppHandle,
    state: &Arc<AppState>,
    prompt: PendingPrompt,
    always: Option<AlwaysAllowDto>,
    approved: bool,
) -> AppResult<PaymentResultDto> {
    pay_and_deliver(app, state, prompt, always, approved).map(|(_, result)| result)
}

fn pay_and_deliver(
    app: &AppHandle,
    state: &Arc<AppState>,
    prompt: PendingPrompt,
    always: Option<AlwaysAllowDto>,
    approved: bool,
) -> AppResult<(Payment, PaymentResultDto)> {
    let payment = state.with_wallet(|w| {
        if let Some(a) = &always {
            let budget = centime_protocol::Micros::parse_user(&a.budget)?;
            w.update_site(
                &prompt.dto.origin,
                &SiteChange {
                    budget: Some(Some((budget, convert::period_in(a.period)))),
                    auto_pay: Some(true),
                    blocked: Some(false),
                    ..Default::default()
                },
            )?;
        }
        // The offer shown, and only it: a top-up or a refund since cannot make it pay another.
        let opts = PayOptions { approved, approval: Some(prompt.approval.clone()), ..Default::default() };
        Ok(w.pay(&prompt.required, &opts)?)
    })?;
    let result = deliver_and_show(app, state, &payment, &prompt.url, prompt.return_url.as_ref(), prompt.dto.source)?;
    Ok((payment, result))
}

/// Sends a payment to the page that asked for it and shows the outcome: the page in the
/// reader, or the site's return address (the browser shows its page itself).
fn deliver_and_show(
    app: &AppHandle,
    state: &Arc<AppState>,
    payment: &Payment,
    url: &Url,
    return_url: Option<&Url>,
    source: PromptSource,
) -> AppResult<PaymentResultDto> {
    // Outside the wallet's lock: a slow merchant must not freeze the window. A link's or the
    // browser's payment goes where a link may reach (public addresses, or trusted origins),
    // however the name resolves by now.
    let client = match source {
        PromptSource::Link | PromptSource::Browser => state.client.for_links(),
        PromptSource::Typed => state.client.clone(),
    };
    let sent = client.deliver(&mut SharedWallet(state), url, &HeaderMap::new(), payment);
    let _ = app.emit(events::WALLET_CHANGED, ());
    let (outcome, body) = match sent {
        Ok(d) => (d.outcome, Some(d.body)),
        // Debited and sent, but no answer came: the resolver asks again (resolver.rs).
        Err(centime_client::Error::Unconfirmed { reason, .. }) => (Outcome::Unconfirmed(reason), None),
        Err(e) => return Err(e.into()),
    };
    let (status, message) = match &outcome {
        Outcome::Settled { .. } => (PaymentStatus::Settled, format!("Paid {} to {}", payment.amount, payment.origin)),
        Outcome::Unconfirmed(why) => {
            (PaymentStatus::Unconfirmed, format!("Paid {} to {}, but {why}", payment.amount, payment.origin))
        }
    };
    let mut result = PaymentResultDto {
        payment_id: payment.payment_id.to_string(),
        origin: payment.origin.to_string(),
        amount: payment.amount.micros.to_string(),
        asset: payment.amount.asset.to_string(),
        status,
        message,
        opened_return_url: None,
        shown_in_reader: false,
        automatic: payment.automatic,
    };
    // The page, or the site's return address, only once the merchant answered.
    match (return_url, &body) {
        (Some(ret), Some(_)) => {
            let opened = open_return(app, ret, payment)?;
            result.opened_return_url = Some(opened);
        }
        (None, Some(body)) if source != PromptSource::Browser => {
            reader::show(app, url, body)?;
            result.shown_in_reader = true;
        }
        _ => {}
    }
    if payment.automatic {
        crate::notify(app, &texts::paid_automatically(state.locale(), &payment.amount, payment.origin.as_str()));
    }
    let _ = app.emit(events::PAYMENT_MADE, result.clone());
    Ok(result)
}

/// Opens the site's return address in the browser with the payment in its fragment, so the
/// page's script can retry with it (the per-fee link flow).
fn open_return(app: &AppHandle, ret: &Url, payment: &Payment) -> AppResult<String> {
    use tauri_plugin_opener::OpenerExt as _;
    let json = STANDARD
        .decode(&payment.header)
        .map_err(|e| AppError::Internal(format!("stored payment is not base64: {e}")))?;
    let mut url = ret.clone();
    url.set_fragment(Some(&format!("payment={}", URL_SAFE_NO_PAD.encode(json))));
    if !matches!(url.scheme(), "http" | "https") {
        return Err(AppError::Invalid("only http(s) return addresses are opened".into()));
    }
    app.opener().open_url(url.as_str(), None::<&str>).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(ret.to_string())
}

/// Unanswered prompts, dropping the expired ones. None while no wallet is open: without it
/// there is no clock to tell which have expired, nor anything to pay them with.
pub fn pending(state: &AppState) -> Vec<PromptDto> {
    let Ok(t) = state.now() else { return Vec::new() };
    let mut prompts = state.prompts();
    prompts.retain(|_, p| p.dto.expires_at > t);
    let mut list: Vec<PromptDto> = prompts.values().map(|p| p.dto.clone()).collect();
    list.sort_by_key(|p| p.expires_at);
    list
}

/// Declines every prompt of `origin` ("Decline all from this site"); how many there were.
pub fn decline_site(state: &AppState, origin: &str) -> usize {
    let declined: Vec<String> = {
        let mut prompts = state.prompts();
        let ids = prompts.values().filter(|p| p.dto.origin == origin).map(|p| p.dto.id.clone()).collect();
        prompts.retain(|_, p| p.dto.origin != origin);
        ids
    };
    for id in &declined {
        state.browser.answer(id, Ok(PayAnswer::bare(PayOutcome::Declined)));
    }
    declined.len()
}

/// The answer that hands the browser `payment`'s authorization.
fn paid_answer(outcome: PayOutcome, payment: &Payment) -> PayAnswer {
    PayAnswer {
        outcome,
        header: Some(payment.header.clone()),
        payment_id: Some(payment.payment_id.to_string()),
        amount: Some(payment.amount.micros.to_string()),
        asset: Some(payment.amount.asset.to_string()),
        automatic: Some(payment.automatic),
        reason: None,
    }
}

/// The browser's `pay`: the app fetches `url` itself and decides on the offer it reads there,
/// under every rule a link is under. A page that needs approval raises the prompt, and this
/// returns once it is answered (after the payment was delivered) or expires; a resource never
/// prompts.
pub fn for_browser(app: &AppHandle, state: &Arc<AppState>, url: &str, kind: PayKind) -> AppResult<PayAnswer> {
    let url = Url::parse(url.trim()).map_err(|e| AppError::Invalid(format!("{url:?} is not a URL ({e})")))?;
    let (url, required) = match state.client.for_links().probe(&url, &HeaderMap::new())? {
        Probe::Free { .. } => return Ok(PayAnswer::bare(PayOutcome::Free)),
        Probe::Priced { url, required } => (url, required),
    };
    let resource = required.resource.url.clone();
    if let Some(p) = state.with_wallet(|w| Ok(w.entitlement(&resource)?))? {
        return Ok(paid_answer(PayOutcome::Entitled, &p));
    }
    if let Some(p) = already_paid(state, &resource)? {
        return Ok(paid_answer(PayOutcome::AlreadyPaid, &p));
    }
    let prompt = prompt_for(state, *required, url, None, PromptSource::Browser)?;
    if kind == PayKind::Resource {
        // Only under the user's auto-pay rule for the site, never another way to a prompt.
        let origin = prompt.dto.origin.clone();
        let rule =
            state.with_wallet(|w| Ok(w.sites()?.into_iter().any(|r| r.origin.to_string() == origin && r.auto_pay)))?;
        if !rule || prompt.dto.decision != DecisionDto::Auto {
            return Ok(PayAnswer::bare(PayOutcome::NeedsRule));
        }
    }
    match prompt.dto.decision {
        DecisionDto::Refuse => {
            Ok(PayAnswer { reason: Some(prompt.dto.reason_code.to_string()), ..PayAnswer::bare(PayOutcome::Refused) })
        }
        DecisionDto::Auto => {
            let (payment, _) = pay_and_deliver(app, state, prompt, None, false)?;
            Ok(paid_answer(PayOutcome::Paid, &payment))
        }
        DecisionDto::Ask => {
            let dto = admit(state, prompt)?;
            let waiting = state.browser.wait_for(&dto.id);
            raise(app, state, &dto);
            let left = dto.expires_at.saturating_sub(state.now()?).max(0);
            let until = Duration::from_secs(u64::try_from(left).unwrap_or(0)).saturating_add(Duration::from_secs(1));
            match waiting.recv_timeout(until) {
                Ok(Ok(answer)) => Ok(answer),
                Ok(Err(e)) => Err(AppError::Browser(e)),
                // Expired unanswered (or the prompt went with the wallet): nothing was paid.
                Err(_) => {
                    state.browser.forget(&dto.id);
                    Ok(PayAnswer::bare(PayOutcome::Declined))
                }
            }
        }
    }
}

/// Brings the main window forward, at most once per [`RAISE_EVERY`]: a page firing links
/// cannot keep stealing the focus (its prompts still reach the window's list).
pub fn bring_forward(app: &AppHandle, state: &AppState) {
    if !state.may_raise(Instant::now(), RAISE_EVERY) {
        return;
    }
    if let Some(w) = app.get_webview_window("main") {
        let _ = w.show();
        let _ = w.unminimize();
        let _ = w.set_focus();
    }
}

/// Raises a prompt in the main window. The log line lets a run of the installed app be followed
/// from outside (the package test waits for it).
pub fn raise(app: &AppHandle, state: &AppState, prompt: &PromptDto) {
    tracing::info!(origin = %prompt.origin, resource = %prompt.resource, price = %prompt.price, asset = %prompt.asset, "payment prompt raised");
    bring_forward(app, state);
    let _ = app.emit_to("main", events::PAYMENT_PROMPT, prompt.clone());
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use centime_app_models::{DecisionDto, ReasonCode};
    use centime_protocol::wire::PaymentRequirements;
    use centime_protocol::{Amount, Asset, Micros, ResourceInfo};

    use super::*;

    fn prompt(origin: &str, page: u32) -> PendingPrompt {
        let resource = format!("{origin}/page/{page}");
        let network: centime_protocol::Network = "centime:test".parse().unwrap();
        let price = Amount::new(Micros::from_micros(100_000), Asset::EUR);
        let offer = PaymentRequirements::centime(&network, "shop", price, 60, "Shop", None).unwrap();
        let required = PaymentRequired {
            x402_version: 2,
            error: None,
            resource: ResourceInfo {
                url: resource.clone(),
                description: None,
                mime_type: None,
                other: Default::default(),
            },
            accepts: vec![offer],
            extensions: Default::default(),
            other: Default::default(),
        };
        let dto = PromptDto {
            id: format!("{origin}#{page}"),
            origin: origin.into(),
            merchant_name: None,
            certified: None,
            page_title: None,
            resource: resource.clone(),
            price: "0.10".into(),
            asset: "EUR".into(),
            network: network.to_string(),
            balance: "1.00".into(),
            balance_after: "0.90".into(),
            allowance_left: None,
            allowance_period: None,
            decision: DecisionDto::Ask,
            reason: String::new(),
            reason_code: ReasonCode::NoRule,
            reason_params: vec![],
            expires_at: 1_000,
            return_url: None,
            source: PromptSource::Link,
            plain_http: false,
        };
        let approval = centime_core::Approval {
            offer: 0,
            resource: resource.clone(),
            pay_to: "shop".into(),
            network,
            amount: price,
            offer_digest: String::new(),
        };
        PendingPrompt { dto, required, url: Url::parse(&resource).unwrap(), return_url: None, approval }
    }

    #[test]
    fn prompts_are_bounded_per_site_and_in_all_and_a_repeat_is_the_open_prompt() {
        let mut prompts = HashMap::new();
        let a = "https://a.example";
        for page in 0..3 {
            admit_into(&mut prompts, prompt(a, page), 0).unwrap();
        }
        // The same page again is the prompt already open, not a new one.
        assert_eq!(admit_into(&mut prompts, prompt(a, 1), 0).unwrap().id, format!("{a}#1"));
        assert_eq!(prompts.len(), 3);
        // A fourth page of the same site is refused.
        assert!(matches!(admit_into(&mut prompts, prompt(a, 3), 0), Err(AppError::TooManyPrompts(o)) if o == a));
        // Other sites fill the rest, up to the overall bound.
        for site in 0..7 {
            admit_into(&mut prompts, prompt(&format!("https://s{site}.example"), 0), 0).unwrap();
        }
        assert_eq!(prompts.len(), MAX_PROMPTS);
        assert!(admit_into(&mut prompts, prompt("https://late.example", 0), 0).is_err());
        // Expired prompts make room.
        assert!(admit_into(&mut prompts, prompt("https://late.example", 0), 1_000).is_ok());
        assert_eq!(prompts.len(), 1);
    }

    #[test]
    fn declining_a_site_declines_all_its_prompts_and_no_other() {
        let state = AppState::new(std::env::temp_dir(), None, &[]).unwrap();
        for page in 0..3 {
            admit_into(&mut state.prompts(), prompt("https://a.example", page), 0).unwrap();
        }
        admit_into(&mut state.prompts(), prompt("https://b.example", 0), 0).unwrap();
        assert_eq!(decline_site(&state, "https://a.example"), 3);
        assert_eq!(state.prompts().len(), 1);
    }

    #[test]
    fn prompts_expire_by_the_wallet_clock_and_none_are_listed_without_a_wallet() {
        use centime_core::keystore::FileKeyStore;
        use centime_core::passphrase::Passphrase;
        use centime_protocol::verify::FixedClock;

        let dir = std::env::temp_dir().join(format!("centime-app-clock-{}", std::process::id()));
        let state = AppState::new(dir.clone(), None, &[]).unwrap();
        admit_into(&mut state.prompts(), prompt("https://a.example", 0), 0).unwrap();
        assert!(pending(&state).is_empty(), "no wallet, no clock");
        assert_eq!(state.prompts().len(), 1, "kept for when the wallet is open again");

        let ks = FileKeyStore::new(&dir, Passphrase::new("a long passphrase".into()));
        let mut w = centime_core::Wallet::init(&dir, &ks, &[]).unwrap();
        // The prompt expires at 1 000 s: long past by the system's clock, not by the wallet's.
        let clock = Arc::new(FixedClock::new(999));
        w.set_clock(clock.clone());
        *state.wallet() = Some(w);
        assert_eq!(pending(&state).len(), 1);
        clock.set(1_000);
        assert!(pending(&state).is_empty());
        assert!(state.prompts().is_empty(), "an expired prompt is dropped");
        drop(state);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_window_is_raised_at_most_once_per_interval() {
        let state = AppState::new(std::env::temp_dir(), None, &[]).unwrap();
        let t0 = Instant::now();
        assert!(state.may_raise(t0, RAISE_EVERY));
        assert!(!state.may_raise(t0 + Duration::from_secs(1), RAISE_EVERY));
        assert!(state.may_raise(t0 + RAISE_EVERY, RAISE_EVERY));
    }

    #[test]
    fn a_flood_of_refused_links_is_one_notice_per_site_and_interval() {
        let state = AppState::new(std::env::temp_dir(), None, &[]).unwrap();
        let t0 = Instant::now();
        // The window was just raised for a prompt: the refusal is still reported.
        assert!(state.may_raise(t0, RAISE_EVERY));
        assert!(state.may_report_refusal("https://a.example", t0, REPORT_REFUSALS_EVERY));
        for ms in [10, 500, 2_000, 9_000] {
            let t = t0 + Duration::from_millis(ms);
            assert!(!state.may_report_refusal("https://a.example", t, REPORT_REFUSALS_EVERY), "{ms} ms");
        }
        // Another site is its own notice; the first site again after the interval.
        assert!(state.may_report_refusal("https://b.example", t0 + Duration::from_secs(1), REPORT_REFUSALS_EVERY));
        assert!(state.may_report_refusal("https://a.example", t0 + REPORT_REFUSALS_EVERY, REPORT_REFUSALS_EVERY));
    }
}
