//! The HTML pages. No inline script or style anywhere, so every page is served under a strict
//! Content-Security-Policy (`script-src 'self'`, no `'unsafe-inline'`).

use std::fmt::Write as _;

use centime_protocol::{Micros, PaymentRequirements};

use crate::articles::{ARTICLES, Article, Page};
use crate::magazine::page_url;
use centime_issuer::Issued;

/// Escapes text for HTML element content and double-quoted attributes.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn layout(title: &str, body: &str, script: bool) -> String {
    let script = if script { r#"<script src="/static/paywall.js" defer></script>"# } else { "" };
    format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="/static/style.css">
{script}
</head>
<body>
<header class="masthead">
  <a class="brand" href="/">The Centime Review</a>
  <span class="demo-badge">Demo · no real money</span>
  <nav><a href="/">Articles</a> <a href="/topup">Top up</a> <a href="/issuer">Issuer</a> <a href="/merchant/ledger">Ledger</a></nav>
</header>
<main>
{body}
</main>
<footer>
  <p>A demonstration magazine and issuer served by <code>centime-demo</code>. Pages are priced in
  euros and paid from a Centime wallet's prepaid balance; the issuer's credit notes are not backed
  by any money.</p>
</footer>
</body>
</html>
"#,
        title = esc(title),
    )
}

fn price(m: Micros, asset: &str) -> String {
    format!("{m} {}", esc(asset))
}

pub fn index(base: &str, name: &str) -> String {
    let mut body = format!(
        r#"<h1>{}</h1>
<p class="lede">Essays on paying for small things, sold by the page. Every page costs a few cents or
less, paid from a Centime wallet: no account, no subscription, no advertising.</p>
<ol class="toc">"#,
        esc(name)
    );
    for a in ARTICLES {
        let p = a.price();
        let _ = write!(
            body,
            r#"<li><h2><a href="{url}">{title}</a></h2><p>{summary}</p><p class="meta">{pages} pages · {price} a page · "#,
            url = esc(&page_url(base, a, 1)),
            title = esc(a.title),
            summary = esc(a.summary),
            pages = a.pages.len(),
            price = price(p.micros, p.asset.as_str()),
        );
        for n in 1..=a.pages.len() {
            let _ = write!(body, r#"<a href="{}">p.&nbsp;{n}</a> "#, esc(&page_url(base, a, n)));
        }
        body.push_str("</p></li>");
    }
    body.push_str(
        r#"</ol>
<section class="howto">
<h2>How paying works here</h2>
<p>Open a page and your browser shows its price with a <em>Pay with Centime</em> link. The wallet
asks you (or pays by your rules), signs a payment for exactly that page and price, and brings you
back here, where the page opens. A page you paid for stays open to your wallet for a day.</p>
<p>Programs do the same over HTTP: <code>GET</code> a page, read the <code>402</code> and its
<code>PAYMENT-REQUIRED</code> header, retry with <code>PAYMENT-SIGNATURE</code>. The catalogue is at
<a href="/articles">/articles</a>, the merchant's ledger at <a href="/merchant/ledger">/merchant/ledger</a>,
and a wallet can be filled with test money at <a href="/topup">/topup</a>.</p>
</section>"#,
    );
    layout(name, &body, false)
}

pub fn paywall(article: &Article, n: usize, offers: &[PaymentRequirements], link: &str, error: Option<&str>) -> String {
    let mut prices = String::new();
    for o in offers {
        let amount = o.terms().map(|t| t.price.micros.to_string()).unwrap_or_else(|_| o.amount.clone());
        let _ = write!(prices, "{} {}", esc(&amount), esc(&o.asset));
    }
    let error = error
        .map(|e| format!(r#"<p class="error" role="alert">The payment was refused: {}</p>"#, esc(e)))
        .unwrap_or_default();
    let body = format!(
        r#"<article class="paywall" id="paywall">
<p class="kicker">Page {n} of {pages}</p>
<h1>{title}</h1>
<p class="lede">{summary}</p>
<p class="price">This page costs <strong>{prices}</strong>.</p>
{error}
<p><a class="pay" id="pay-link" href="{link}">Pay {prices} with Centime</a></p>
<p class="small">Your wallet shows the site, the page and the price before anything is paid. After
you approve, it returns you here and the page opens. If this browser already paid for the page in
the last day, it opens by itself.</p>
<p class="small">For programs: the same offer is in this response's <code>PAYMENT-REQUIRED</code>
header; retry the request with a <code>PAYMENT-SIGNATURE</code> header.</p>
</article>
<article class="page" id="content" hidden></article>
<p id="status" class="small" role="status"></p>"#,
        pages = article.pages.len(),
        title = esc(article.title),
        summary = esc(article.summary),
        link = esc(link),
    );
    layout(&format!("{} — page {n} (payment required)", article.title), &body, true)
}

pub fn article_page(base: &str, article: &Article, n: usize, page: &Page) -> String {
    let mut body = format!(
        r#"<article class="page"><p class="kicker">Page {n} of {pages}</p><h1>{title}</h1><h2>{heading}</h2>"#,
        pages = article.pages.len(),
        title = esc(article.title),
        heading = esc(page.heading),
    );
    for p in page.paragraphs {
        let _ = write!(body, "<p>{}</p>", esc(p));
    }
    if n < article.pages.len() {
        let _ =
            write!(body, r#"<p class="next"><a href="{}">Next page →</a></p>"#, esc(&page_url(base, article, n + 1)));
    }
    body.push_str("</article>");
    layout(&format!("{} — page {n}", article.title), &body, false)
}

pub fn not_found() -> String {
    layout(
        "Not found",
        r#"<h1>Not found</h1><p>There is no such page. <a href="/">Back to the articles</a>.</p>"#,
        false,
    )
}

/// What the top-up form shows again after a refusal.
#[derive(Debug, Default)]
pub struct TopupFormValues {
    pub wallet: String,
    pub amount: String,
    pub asset: String,
    pub card: String,
}

pub fn topup_form(v: &TopupFormValues, limits: (Micros, Micros), error: Option<&str>) -> String {
    let amount = if v.amount.is_empty() { "5.00" } else { &v.amount };
    let card = if v.card.is_empty() { "4242 4242 4242 4242" } else { &v.card };
    let usd = if v.asset == "USD" { " selected" } else { "" };
    let error = error.map(|e| format!(r#"<p class="error" role="alert">{}</p>"#, esc(e))).unwrap_or_default();
    let body = format!(
        r#"<h1>Top up a wallet</h1>
<p class="notice">This is the <strong>demo issuer</strong>. No money moves: it signs a credit note for
any amount within its limits ({min} to {max}) to anyone who types the test card number.</p>
{error}
<form method="post" action="/topup" class="topup">
  <label>Wallet id <small>(the wallet's public key, as <code>centime</code> shows it)</small>
    <input name="wallet" required minlength="43" maxlength="43" autocomplete="off" spellcheck="false" value="{wallet}"></label>
  <label>Amount <input name="amount" required inputmode="decimal" value="{amount}"></label>
  <label>Currency <select name="asset"><option value="EUR">EUR</option><option value="USD"{usd}>USD</option></select></label>
  <label>Card number <small>(test card only; prefilled)</small>
    <input name="card" required autocomplete="off" value="{card}"></label>
  <button type="submit">Get a credit note</button>
</form>"#,
        min = limits.0,
        max = limits.1,
        wallet = esc(&v.wallet),
        amount = esc(amount),
        card = esc(card),
    );
    layout("Top up (demo issuer)", &body, false)
}

pub fn topup_result(i: &Issued) -> String {
    let body = format!(
        r#"<h1>Credit note issued</h1>
<p class="notice">Demo money: {amount} {asset} for wallet <code>{wallet}</code>.</p>
<p><a class="pay" href="{link}">Add {amount} {asset} to my Centime wallet</a></p>
<p>Or paste this credit note into the wallet (for example <code>centime topup</code>):</p>
<textarea readonly rows="6" cols="80" spellcheck="false">{credit}</textarea>
<p class="small">Credit id <code>{id}</code>. The note is signed by this issuer and bound to that
wallet's key; no other wallet can use it, and a wallet accepts it once.</p>
<p><a href="/topup">Another top-up</a> · <a href="/">Back to the articles</a></p>"#,
        amount = i.amount,
        asset = i.asset,
        wallet = esc(&i.wallet.to_string()),
        link = esc(&i.link),
        credit = esc(&i.credit),
        id = esc(&i.credit_id),
    );
    layout("Credit note issued (demo issuer)", &body, false)
}
