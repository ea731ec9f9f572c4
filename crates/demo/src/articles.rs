//! The magazine's content: five short essays, written for this demo, priced per page.

/// One article, sold page by page at `price_micros` euro micro-units a page.
#[derive(Debug)]
pub struct Article {
    pub id: &'static str,
    pub title: &'static str,
    pub summary: &'static str,
    pub price_micros: i64,
    pub pages: &'static [Page],
}

#[derive(Debug)]
pub struct Page {
    pub heading: &'static str,
    pub paragraphs: &'static [&'static str],
}

pub static ARTICLES: &[Article] = &[
    Article {
        id: "the-page-is-the-unit",
        title: "The Page Is the Unit",
        summary: "Why a reader should be able to buy one page, and why that was so hard for so long.",
        price_micros: 100_000,
        pages: &[
            Page {
                heading: "What we actually read",
                paragraphs: &[
                    "Nobody reads a newspaper. People read an article, sometimes two, usually one they were sent by a friend or found by following a link. The bundle — the whole paper, the whole magazine, the whole year of a journal — is how publishers sell, not how readers read. On the web the bundle has dissolved into single pages that arrive from everywhere, yet the ways of paying for them are still built for the bundle.",
                    "A subscription asks a reader to predict the future: will I read this site often enough, for long enough, to be worth a monthly charge I must remember to cancel? For the handful of publications someone reads every day, the answer is yes. For the long tail of everything else — the expert blog, the local paper of a town one is visiting, the trade journal quoted in a footnote — the answer is no, and the reader either leaves or looks for a copy somewhere else.",
                    "Selling by the page matches the price to the thing consumed. Ten cents for a long essay, two cents for a short note, half a cent for a glance at a table of figures: prices this small were never impossible to state, only impossible to collect. This magazine is an experiment in collecting them.",
                ],
            },
            Page {
                heading: "Why small payments failed",
                paragraphs: &[
                    "Every few years since the mid-1990s someone has announced that micropayments are about to arrive. Digital cash schemes, scrip issued by the server that sold the page, browser plug-ins and prepaid accounts all came and went. The technology mostly worked. What failed was everything around it: each scheme needed its own account, its own software and its own trust, and a reader had to join before knowing whether anything would be worth buying.",
                    "Critics put their finger on a second problem: the cost of deciding. A price of one cent is small, but the question “is this worth a cent?” is not, and asking it on every page is exhausting. A reader who must weigh each click soon stops clicking. Any workable design has to take that decision away from the moment of reading and move it somewhere calmer.",
                    "And card networks set a floor. A fixed fee of a few tens of cents per transaction makes a ten-cent sale lose money before it starts. Small payments only work when they are settled in bulk: many tiny promises collected and paid out together, with the expensive part happening rarely.",
                ],
            },
            Page {
                heading: "Deciding once, paying often",
                paragraphs: &[
                    "A prepaid wallet answers all three objections at once. The reader tops up once, with a payment method that already works. Rules decided in advance — up to ten cents a page on this site, up to two euros a week in total — let the wallet pay without asking, and ask only when something falls outside them. The question “is this worth it?” is asked once, about a site, not a thousand times, about pages.",
                    "The merchant, for its part, checks a signature instead of calling a bank. The wallet signs a short statement: this much, to this site, for this page, before this time, once. The site can verify it on its own, serve the page, and later present the whole pile of statements to the issuer for settlement. The expensive step happens once a day or once a month, not once a page.",
                    "None of this requires the reader to trust the site, or the site to know who the reader is. It requires only that both trust the issuer to honour the signed promises, which is the oldest arrangement in finance: a note that says the bearer will be paid.",
                ],
            },
        ],
    },
    Article {
        id: "a-penny-for-a-letter",
        title: "A Penny for a Letter",
        summary: "How Britain's Penny Post of 1840 turned an expensive, haggled-over service into a prepaid one.",
        price_micros: 50_000,
        pages: &[
            Page {
                heading: "Paying on delivery",
                paragraphs: &[
                    "Before 1840, sending a letter in Britain was a small negotiation. The charge depended on how far the letter travelled and how many sheets it held, and it was normally paid by the person who received it. A letter carrier knocked, named a price, and waited while the recipient decided whether the news inside was worth the money.",
                    "People found ways around it. Families agreed on codes written on the outside of the letter, so that the recipient could read the message from the cover and refuse to pay. Members of Parliament could send mail free, and their franks were borrowed, traded and forged. A great deal of correspondence simply did not happen, because the cost and the bother were out of proportion to what most letters said.",
                    "The post office, meanwhile, spent much of its effort on accounting: measuring distances, counting sheets, collecting coins at the door and chasing the letters that were refused. The price of a letter was mostly the price of working out the price.",
                ],
            },
            Page {
                heading: "Rowland Hill's arithmetic",
                paragraphs: &[
                    "In 1837 a schoolmaster and reformer named Rowland Hill published a pamphlet on post office reform. His argument rested on a simple observation: the cost of carrying a letter from one town to another was tiny compared with the cost of handling its payment. If the price were the same everywhere and paid in advance, most of the handling would disappear.",
                    "Hill proposed a uniform rate of one penny for a letter of up to half an ounce, anywhere in the country, paid by the sender. To prove payment he suggested a small printed label, gummed on the back, that the sender could buy beforehand. The uniform penny rate began in January 1840, and the first adhesive stamp, the Penny Black, went on sale that May.",
                    "The volume of letters rose steeply in the years that followed. Revenue took far longer to recover than Hill had hoped, and his critics said so loudly, but the change in habits was permanent. Letters became something ordinary people sent to each other about ordinary things.",
                ],
            },
            Page {
                heading: "What the stamp teaches",
                paragraphs: &[
                    "The stamp was a prepaid token of a small, fixed value, bought in advance from a trusted issuer and spent without further negotiation. The sender decided once, at the counter, how much postage to buy; after that, each letter cost nothing to think about. The post office no longer needed to know anything about the recipient's willingness to pay.",
                    "A Centime wallet borrows the same shape. The top-up is the visit to the counter. The signed authorization is the stamp, with one improvement: it is good for exactly one page, at one site, for a few minutes, and it cannot be peeled off and reused. The issuer plays the post office, honouring what it sold when the merchant brings the stamps in.",
                    "The lesson of 1840 is that lowering a price is not enough. What changed letter-writing was lowering the cost of paying: uniform, prepaid, and settled far away from the moment of use. The same is true of reading.",
                ],
            },
        ],
    },
    Article {
        id: "four-hundred-and-two",
        title: "Four Hundred and Two",
        summary: "The HTTP status code that waited thirty years for a use.",
        price_micros: 20_000,
        pages: &[
            Page {
                heading: "Reserved for future use",
                paragraphs: &[
                    "Every web request ends with a three-digit status. 200 means here it is; 404 means there is nothing here; 401 means tell me who you are. Sitting between them is 402, Payment Required, which for almost all of the web's history has carried the same remark in the specifications: reserved for future use.",
                    "The designers of HTTP clearly expected that servers would one day ask for money in the same matter-of-fact way they ask for a password. Early sketches of the protocol imagined a server naming a price and a client answering with a way to charge it. But no one agreed on what that way should be, and a status code without a payment method is only a promise.",
                    "So the web found other ways to pay for itself. Advertising needed no status code at all, and subscriptions were built from logins, cookies and card forms. The number 402 stayed in the list, unused by almost everyone, a small monument to an idea that arrived too early.",
                ],
            },
            Page {
                heading: "A price in a header",
                paragraphs: &[
                    "The idea behind 402 is plain. When a client asks for something that costs money, the server answers with the price instead of the thing. The client, if it agrees, asks again, this time with proof of payment attached, and receives the thing along with a receipt. There is no checkout page, no account, no redirect to a payment provider: the payment rides on the request.",
                    "In recent years a group of developers revived the code with a concrete format, called x402. The server's answer carries a header describing what it accepts — how much, in what currency, paid to whom, on which network — and the client's retry carries a signed payload in another header. The shape is deliberately generic, so that one client can pay many kinds of servers.",
                    "Centime speaks that shape. The page you are reading answered first with a 402 whose PAYMENT-REQUIRED header named its price in euros and this magazine as the payee. Your wallet signed a payment for exactly that offer and sent it back in PAYMENT-SIGNATURE; the magazine checked it and answered with this page and a PAYMENT-RESPONSE carrying its signed receipt.",
                ],
            },
            Page {
                heading: "Machines that pay",
                paragraphs: &[
                    "A person can click a button. A program cannot, and more and more of what reads the web is programs: scripts that fetch data, tools that summarise documents, agents that run errands. For them, a payment flow built from web forms is a wall. A payment that fits in a header is just one more step in a request.",
                    "That raises an old question in a new form: who decides how much a program may spend? The answer Centime gives is the same as for people. The program pays from a wallet whose rules were set by a person — this much per call, this much per day, only these sites — and everything it spends is recorded where that person can read it.",
                    "Thirty years after it was reserved, 402 may finally have its future: not as a gate in front of the web, but as a way for small amounts to move as easily as the pages they pay for.",
                ],
            },
        ],
    },
    Article {
        id: "tokens-meters-and-coin-slots",
        title: "Tokens, Meters and Coin Slots",
        summary: "A short history of machines built to take very small amounts of money.",
        price_micros: 10_000,
        pages: &[
            Page {
                heading: "The first coin slots",
                paragraphs: &[
                    "The idea of a machine that takes a coin and gives something back is older than most people think. An engineer of ancient Alexandria described a vessel that released a measure of water when a coin dropped onto a small lever inside. The mechanism was a balance: the weight of the coin opened a valve, and when the coin slid off, the valve closed.",
                    "The idea returned in earnest in the nineteenth century, when cheap mass-produced mechanisms met a money economy full of small coins. Machines sold postcards, stamps, chewing gum, a squirt of perfume, a glimpse through a viewer. Each one did the same thing: it turned a tiny payment into an automatic exchange, with nobody standing behind a counter to collect it.",
                    "What made these machines work was not the mechanism but the coin. A coin is a bearer token of known value that needs no account and no signature. The machine only had to recognise it. Much of the later history of small payments is a search for something that behaves like a coin where coins cannot go.",
                ],
            },
            Page {
                heading: "Tokens for telephones",
                paragraphs: &[
                    "Public telephones had a problem with coins: a call's price did not always match the coins in people's pockets, and coins could be faked or jammed. Several countries answered with a dedicated token. Italy's gettone, a grooved bronze disc, was sold at bars and newsstands from the late 1920s and was still in use at the end of the century; it even circulated as small change.",
                    "The token separated buying from using. A caller bought a handful at the counter, in ordinary money, and then spent them one by one at the machine. The phone company sold value in advance and no longer cared who was calling; the caller no longer had to find the exact coins at the moment of need.",
                    "Later came prepaid cards with a chip or a magnetic stripe that counted down units. The token became invisible, but the shape stayed the same: buy value from the operator once, spend it in small pieces many times, with the machine checking only that the value was genuine.",
                ],
            },
            Page {
                heading: "Paying for time",
                paragraphs: &[
                    "In 1935 the city of Oklahoma City installed the first parking meters: a coin bought a measured stretch of time at the kerb. The meter made a small charge for something continuous. Nobody paid for a whole day of parking they did not need; they paid for the hour they used.",
                    "Reading is continuous too. A reader moves from page to page, site to site, sometimes staying for an hour and sometimes for a paragraph. Charging per page is the nearest thing to a meter for reading, and an entitlement — once paid, a page stays open to that reader for a day — is the nearest thing to the time left on the meter.",
                    "Each of these machines solved the same puzzle: how to let a small amount of money change hands without a person in the middle and without the cost of the exchange swallowing its value. Signed, prepaid authorizations are the latest answer, and the first that fits through a network cable.",
                ],
            },
        ],
    },
    Article {
        id: "half-a-cent-of-attention",
        title: "Half a Cent of Attention",
        summary: "What a page is worth when it is paid for with attention, and what changes when it is paid for with money.",
        price_micros: 5_000,
        pages: &[
            Page {
                heading: "The price we do not see",
                paragraphs: &[
                    "Most of the web looks free, and most of it is paid for with attention. A page that carries advertising sells a small slice of each reader's time, and, increasingly, a profile of the reader, to whoever bids for it. The amounts involved for a single page view are tiny, often well under a cent, which is precisely the range that direct payments could never reach.",
                    "That invisible price has visible costs. Pages grow heavy with scripts that track and auction. Writing is shaped to be clicked rather than read. Readers block the advertisements and publishers block the readers who block them. Everyone involved pays more than the fraction of a cent that changes hands.",
                    "This magazine charges half a cent for each page of this essay. It is roughly what the page might earn from advertising, stated openly and paid directly, with nothing else attached.",
                ],
            },
            Page {
                heading: "Paying without being known",
                paragraphs: &[
                    "A payment can reveal more about a reader than an advertisement does. A card payment names a person; an account on a publisher's site follows that person from page to page. A design for small payments that ends up building a dossier on every reader would trade one kind of surveillance for another.",
                    "The authorization your wallet sent for this page names a public key, not a person. The magazine learns that some wallet, holding money from an issuer it trusts, paid half a cent for page two of this essay. It does not learn a name, an email address or a card number, and it needs none of them to serve the page or to be paid for it.",
                    "The record of what was read lives where it belongs: in the reader's own wallet, on the reader's own machine, where it can be searched, exported or deleted by the only person with a claim to it.",
                ],
            },
            Page {
                heading: "A fair exchange",
                paragraphs: &[
                    "A small price changes the relationship between a page and its reader. The writer is paid for the page being read, not for the reader being kept busy. A short, useful page earns the same as a long, padded one that answers the same question, and a reader who finds what they needed in a paragraph owes nothing more.",
                    "It also changes what the reader expects. Half a cent is not much, but it is a claim: this page was worth something to someone. Readers who pay a little tend to read with a little more attention, and writers who are paid directly tend to write for the person reading rather than for the algorithm ranking them.",
                    "None of this requires everything on the web to carry a price. It only requires that a price be possible — stated simply, paid quickly, and remembered honestly — for the pages whose authors would rather be paid by their readers than by anyone else.",
                ],
            },
        ],
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalogue_is_well_formed() {
        assert!(ARTICLES.len() >= 5);
        let mut ids: Vec<_> = ARTICLES.iter().map(|a| a.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), ARTICLES.len(), "ids are unique");
        assert!(ARTICLES.iter().any(|a| a.price_micros < 10_000), "a sub-cent price");
        for a in ARTICLES {
            assert!(a.pages.len() >= 2, "{}", a.id);
            assert!(a.price_micros > 0);
            assert!(a.id.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'));
            for p in a.pages {
                assert!(p.paragraphs.len() >= 2);
            }
        }
    }
}
