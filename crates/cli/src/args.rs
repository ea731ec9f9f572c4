//! Command-line arguments (clap). Amounts are taken as text and parsed by the wallet, so
//! that a mistyped amount gets Centime's specific message and exit code 5.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(name = "centime", version, about = "Centime: a wallet for micropayments", propagate_version = true)]
pub struct Cli {
    /// Wallet directory [default: $CENTIME_DATA_DIR, else the platform's data directory]
    #[arg(long, global = true, env = "CENTIME_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// Where the keys live: the OS keyring, or a passphrase-protected file in the data dir
    /// [default: $CENTIME_KEYSTORE, else what the wallet was created with, else os]
    #[arg(long, global = true, env = "CENTIME_KEYSTORE", value_enum)]
    pub keystore: Option<KeystoreArg>,

    /// Machine-readable output
    #[arg(long, global = true)]
    pub json: bool,

    /// Trust ORIGIN (scheme://host[:port]): a centime://pay link may make the wallet connect to it
    /// even on this computer or the local network, as a local demo or development site needs.
    /// Links reach public addresses only otherwise. Repeatable [default: $CENTIME_TRUSTED_ORIGINS,
    /// comma-separated]
    #[arg(
        long = "trust-origin",
        global = true,
        env = "CENTIME_TRUSTED_ORIGINS",
        value_delimiter = ',',
        value_name = "ORIGIN"
    )]
    pub trusted_origins: Vec<String>,

    /// Pay merchants over plain http:// across the network, where anyone on the way can read and
    /// change what is sent (plain HTTP is otherwise only for this computer; https never redirects
    /// to http)
    #[arg(long, global = true)]
    pub allow_http: bool,

    /// Log to stderr what the wallet decides and sends: -v for payments, top-ups and checks,
    /// -vv for every step [default: $RUST_LOG, else nothing]. Never a key, passphrase or
    /// authorization
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KeystoreArg {
    Os,
    File,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a wallet: new keys in the keystore, an empty ledger
    Init {
        /// Trust an issuer: NETWORK=PUBKEY (repeatable)
        #[arg(long = "issuer", value_name = "NETWORK=PUBKEY")]
        issuers: Vec<String>,
    },
    /// Print this wallet's id (its public key)
    Id,
    /// Manage trusted issuers
    #[command(subcommand)]
    Issuer(IssuerCmd),
    /// Balances per network and asset
    Balance,
    /// Redeem a credit note (a JWS, a centime://topup link, or @FILE)
    Topup { credit: String },
    /// Ask another wallet to pay you: prints a centime://pay?request= link and its QR code
    Request(RequestArgs),
    /// Send money to another wallet (a contact's name or a wallet id): debited now, deposited
    /// at the issuer; prints the short centime://receive link to hand over (or, with
    /// --offline, the whole transfer)
    Send(SendArgs),
    /// Collect a transfer from another wallet (a centime://receive link, either form, or the
    /// transfer's JWS or @FILE): redeemed at its issuer and credited
    Receive {
        transfer: String,
        /// Seconds before giving up on the issuer
        #[arg(long, default_value_t = 30)]
        timeout: u64,
    },
    /// Names for other wallets, and the rule their payment requests are paid by
    #[command(subcommand)]
    Contact(ContactCmd),
    /// Pay a payment request; prints the PAYMENT-SIGNATURE header value (or, for another
    /// wallet's centime://pay?request= link, pays it by a transfer and prints its link)
    Pay {
        /// A PAYMENT-REQUIRED header value, its JSON, a centime://pay link (or another wallet's
        /// centime://pay?request= link), or @FILE
        request: String,
        /// Approve what the rules would ask about (never overrides a refusal)
        #[arg(long)]
        yes: bool,
        /// Refuse any price above this
        #[arg(long, value_name = "AMOUNT")]
        max: Option<String>,
        /// Reuse a payment id: a retry returns the same payment, never a second debit
        #[arg(long, value_name = "ID", conflicts_with = "batch")]
        payment_id: Option<String>,
        /// REQUEST is a file (or - for stdin) of requests, one per line, each optionally followed
        /// by a tab and a payment id; prints one JSON line per request and never prompts
        #[arg(long)]
        batch: bool,
    },
    /// GET a URL, paying its price under your rules if it answers 402
    Fetch(FetchArgs),
    /// Ask each issuer for this wallet's signed statement and apply it: payments it settled,
    /// refunds a merchant settled anyway (reversed) or that became final, payments and credits
    /// a restored wallet forgot (recovered), and the issuer's view of the balance. Exits 8 when
    /// payments on a network stay paused after it (a revoked key, or still behind)
    Sync(SyncArgs),
    /// Ask merchants about payments whose outcome is unknown (pending after a crash, or
    /// unconfirmed), sending each again with the same authorization: never a second debit
    Resolve {
        /// Seconds before giving up on each server
        #[arg(long, default_value_t = 30)]
        timeout: u64,
    },
    /// Record what a merchant answered to a payment made through another x402 client (its
    /// PAYMENT-RESPONSE, which such clients may not pass on): the receipt is checked and kept,
    /// and the payment is settled, or credited back if the merchant says it did not take it
    Record {
        /// The payment id `centime pay` printed
        payment_id: String,
        /// The PAYMENT-RESPONSE header value, its JSON, or @FILE (@/dev/stdin for a pipe)
        response: String,
    },
    /// Spending history, newest first
    History(HistoryArgs),
    /// Site rules
    Sites,
    /// Allow a site: limits, budget, and whether it may charge without asking
    Allow {
        origin: String,
        #[arg(long, value_name = "AMOUNT")]
        max_per_payment: Option<String>,
        #[arg(long, value_name = "AMOUNT", requires = "per")]
        budget: Option<String>,
        #[arg(long, value_enum, requires = "budget")]
        per: Option<PeriodArg>,
        /// Pay without asking within the limits
        #[arg(long, conflicts_with = "ask")]
        auto: bool,
        /// Ask before each payment
        #[arg(long)]
        ask: bool,
    },
    /// Refuse every payment to a site
    Block { origin: String },
    /// Lift a block
    Unblock { origin: String },
    /// Show or change the global limits
    Limits {
        /// Payments at or under this may be made without asking (on sites allowed to)
        #[arg(long, value_name = "AMOUNT")]
        auto_pay_under: Option<String>,
        /// Most spent per asset per day
        #[arg(long, value_name = "AMOUNT")]
        daily_cap: Option<String>,
        /// Hard ceiling for any single payment
        #[arg(long, value_name = "AMOUNT")]
        max_per_payment: Option<String>,
    },
    /// Refuse every payment until `resume`
    Pause,
    /// Allow payments again
    Resume,
    /// Export the history (all of it, or filtered)
    Export {
        #[arg(long, value_enum)]
        format: ExportFormatArg,
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        #[command(flatten)]
        filter: FilterArgs,
    },
    /// Check the ledger's integrity (exit 7 when it fails)
    Verify,
    /// Write an encrypted backup (passphrase from CENTIME_BACKUP_PASSPHRASE or a prompt)
    Backup {
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Restore a backup into the data directory
    Restore {
        #[arg(long, value_name = "FILE")]
        from: PathBuf,
    },
    /// Print the shell completion script for SHELL, e.g.
    /// `centime completions bash > ~/.local/share/bash-completion/completions/centime`
    /// (the .deb installs them for bash, zsh and fish)
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Developer tools: NOT for a wallet holding real money
    #[cfg(feature = "dev")]
    #[command(subcommand)]
    Dev(DevCmd),
}

#[cfg(feature = "dev")]
#[derive(Debug, Subcommand)]
pub enum DevCmd {
    /// Fill an empty development wallet with a large generated history: real signed
    /// authorizations, receipts and credit notes (from a development issuer it will trust),
    /// a valid journal chain, balances equal to the journal; `centime verify` passes on it.
    /// For benchmarks and UI work only
    Seed {
        /// Journal rows to generate (top-ups, payments and refunds together)
        #[arg(long, default_value_t = 10_000)]
        entries: u64,
        /// Number of sites paid
        #[arg(long, default_value_t = 300)]
        sites: u32,
        /// Generator seed: the same seed gives the same sites, pages, prices and statuses
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Spread the entries over this many 30-day months, ending now
        #[arg(long, default_value_t = 12)]
        months: u32,
        /// Add to a wallet that already has entries
        #[arg(long)]
        force: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum IssuerCmd {
    /// Trust NETWORK's credit notes signed by PUBKEY
    Add {
        network: String,
        pubkey: String,
        #[arg(long)]
        name: Option<String>,
        /// Where the issuer is reached, for `centime sync` (its base URL)
        #[arg(long, value_name = "URL")]
        url: Option<String>,
    },
    /// Set where a trusted issuer is reached (its base URL), for `centime sync`
    Url { network: String, url: String },
    /// The trusted issuers: network, key, name and address
    List,
    /// Stop trusting NETWORK's issuer
    Remove { network: String },
}

#[derive(Debug, Args)]
pub struct RequestArgs {
    /// How much, e.g. 3.00
    pub amount: String,
    /// The currency, e.g. EUR
    pub asset: String,
    /// What it is for (1 to 140 characters), shown to the payer
    #[arg(long = "for", value_name = "TEXT")]
    pub purpose: String,
    /// How long it may be paid: seconds, or a number followed by s, m, h or d [default: 7d]
    #[arg(long, value_name = "DURATION")]
    pub expires: Option<String>,
    /// The issuer whose money pays [default: the only trusted one]
    #[arg(long, value_name = "NETWORK")]
    pub network: Option<String>,
    /// Do not print the QR code
    #[arg(long)]
    pub no_qr: bool,
}

#[derive(Debug, Args)]
pub struct SendArgs {
    /// How much, e.g. 2.50
    pub amount: String,
    /// The currency, e.g. EUR
    pub asset: String,
    /// A contact's name or a wallet id
    #[arg(long, value_name = "NAME|WALLET_ID")]
    pub to: String,
    /// A note for the recipient (at most 140 characters)
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
    /// The issuer whose money pays [default: the only trusted one]
    #[arg(long, value_name = "NETWORK")]
    pub network: Option<String>,
    /// Do not deposit it at the issuer: print the whole transfer's link, to hand over yourself
    #[arg(long)]
    pub offline: bool,
    /// Seconds before giving up on the issuer
    #[arg(long, default_value_t = 30)]
    pub timeout: u64,
}

#[derive(Debug, Subcommand)]
pub enum ContactCmd {
    /// Name another wallet: NAME for WALLET_ID (its key, or wallet:KEY)
    Add {
        name: String,
        wallet_id: String,
        /// Pay its requests without asking up to this much each (needs --monthly-cap)
        #[arg(long, value_name = "AMOUNT", requires = "monthly_cap")]
        auto_max: Option<String>,
        /// ... and up to this much a calendar month
        #[arg(long, value_name = "AMOUNT", requires = "auto_max")]
        monthly_cap: Option<String>,
    },
    /// Set the rule for a contact's requests, or with --ask remove it (every request asked)
    Rule {
        name: String,
        /// Pay its requests without asking up to this much each
        #[arg(long, value_name = "AMOUNT", requires = "monthly_cap", conflicts_with = "ask")]
        auto_max: Option<String>,
        /// ... and up to this much a calendar month
        #[arg(long, value_name = "AMOUNT", requires = "auto_max")]
        monthly_cap: Option<String>,
        /// Ask for every request
        #[arg(long)]
        ask: bool,
    },
    /// The contacts, by name
    List,
    /// Forget a contact (and its rule)
    Remove { name: String },
}

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Only this network [default: every trusted issuer with an address]
    #[arg(long, value_name = "NETWORK")]
    pub network: Option<String>,
    /// The issuer's base URL, instead of the one the wallet keeps (needs --network)
    #[arg(long, value_name = "URL")]
    pub issuer: Option<String>,
    /// Seconds before giving up on the issuer
    #[arg(long, default_value_t = 30)]
    pub timeout: u64,
}

#[derive(Debug, Args)]
pub struct FetchArgs {
    pub url: String,
    /// Approve what the rules would ask about (never overrides a refusal)
    #[arg(long)]
    pub yes: bool,
    /// Refuse any price above this
    #[arg(long, value_name = "AMOUNT")]
    pub max: Option<String>,
    /// Extra request header (repeatable)
    #[arg(long = "header", value_name = "K:V")]
    pub headers: Vec<String>,
    /// Write the body here instead of stdout
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Reuse a payment id (to retry an unconfirmed payment)
    #[arg(long, value_name = "ID")]
    pub payment_id: Option<String>,
    /// Seconds before giving up on the server
    #[arg(long, default_value_t = 30)]
    pub timeout: u64,
}

#[derive(Debug, Args, Default)]
pub struct FilterArgs {
    /// From this date or time (2026-11-24 or RFC 3339)
    #[arg(long)]
    pub since: Option<String>,
    /// Before this date or time
    #[arg(long)]
    pub until: Option<String>,
    #[arg(long)]
    pub site: Option<String>,
    /// credit, payment, refund or adjustment
    #[arg(long)]
    pub kind: Option<String>,
    /// pending, settled, rejected, unconfirmed or posted
    #[arg(long)]
    pub status: Option<String>,
    /// Text in the site, page or description
    #[arg(long)]
    pub search: Option<String>,
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    #[command(flatten)]
    pub filter: FilterArgs,
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
    /// Continue after a previous page (its `next`)
    #[arg(long, conflicts_with = "all")]
    pub cursor: Option<String>,
    /// Every entry of the filter, streamed (with --json: `total` rows and `sums` per asset,
    /// as `centime export` writes them)
    #[arg(long, conflicts_with = "limit")]
    pub all: bool,
    /// CSV instead of a table
    #[arg(long, conflicts_with = "json")]
    pub csv: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PeriodArg {
    Day,
    Week,
    Month,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormatArg {
    Csv,
    Json,
}
