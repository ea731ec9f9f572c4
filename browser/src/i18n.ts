// The popup's words, English and French, chosen by navigator.language.

const en = {
  title: "Centime",
  notPaired: "This browser is not paired with Centime yet.",
  pair: "Pair with Centime",
  pairAgain: "Pair again",
  asking: "Asking Centime…",
  pairingCode: "Check that Centime shows this code, then click Pair in Centime:",
  paired: "Paired with Centime",
  balance: "Balance",
  paused: "All payments are paused. Resume them in Centime.",
  locked: "Centime is locked.",
  pause: "Pause all payments",
  thisTab: "This tab",
  tabPaid: "Paid in this tab",
  tabNothing: "Nothing paid in this tab.",
  automatic: "automatic",
  site: "This site",
  ruleAsk: "Asks before each payment",
  ruleAutoPay: "Pays automatically up to {budget} per {period} ({spent} spent)",
  ruleBlocked: "Blocked: nothing is paid here",
  lastPayments: "Last payments here",
  noPayments: "No payment on this site yet.",
  day: "day",
  week: "week",
  month: "month",
  notes: {
    paid: "Paid.",
    entitled: "Already paid: read again under the earlier payment.",
    already_paid: "Already paid: read again under the earlier payment.",
    free: "This page is free.",
    declined: "Declined in Centime.",
    refused: "Refused by your rules in Centime.",
    needs_rule: "Not paid: this site has no automatic payment rule.",
    refused_by_site: "The site refused the payment.",
    unpaired: "Not paid: this browser is not paired with Centime.",
    error: "Centime could not be asked.",
  } as Record<string, string>,
  problems: {
    no_host: "Centime is not installed for this browser (no native messaging host).",
    disconnected: "Centime closed the connection.",
    timeout: "Centime did not answer.",
    unpaired: "Centime no longer knows this browser: pair again.",
    pairing_declined: "The pairing was declined in Centime.",
    pairing_unavailable: "Centime cannot keep a pairing key here (no keyring).",
    code_mismatch: "The codes differ: the pairing was stopped.",
    bad_mac: "A message failed its check; the connection was closed.",
    bad_answer: "Centime's answer was not understood.",
  } as Record<string, string>,
  problemOther: "Centime could not be asked ({code}).",
};

export type Messages = typeof en;

const fr: Messages = {
  title: "Centime",
  notPaired: "Ce navigateur n’est pas encore associé à Centime.",
  pair: "Associer à Centime",
  pairAgain: "Associer de nouveau",
  asking: "Demande à Centime…",
  pairingCode: "Vérifiez que Centime affiche ce code, puis cliquez sur Associer dans Centime :",
  paired: "Associé à Centime",
  balance: "Solde",
  paused: "Tous les paiements sont en pause. Reprenez-les dans Centime.",
  locked: "Centime est verrouillé.",
  pause: "Mettre tous les paiements en pause",
  thisTab: "Cet onglet",
  tabPaid: "Payé dans cet onglet",
  tabNothing: "Rien de payé dans cet onglet.",
  automatic: "automatique",
  site: "Ce site",
  ruleAsk: "Demande avant chaque paiement",
  ruleAutoPay: "Paie automatiquement jusqu’à {budget} par {period} ({spent} dépensés)",
  ruleBlocked: "Bloqué : rien n’est payé ici",
  lastPayments: "Derniers paiements ici",
  noPayments: "Aucun paiement sur ce site pour l’instant.",
  day: "jour",
  week: "semaine",
  month: "mois",
  notes: {
    paid: "Payé.",
    entitled: "Déjà payé : relu grâce au paiement précédent.",
    already_paid: "Déjà payé : relu grâce au paiement précédent.",
    free: "Cette page est gratuite.",
    declined: "Refusé dans Centime.",
    refused: "Refusé par vos règles dans Centime.",
    needs_rule: "Non payé : ce site n’a pas de règle de paiement automatique.",
    refused_by_site: "Le site a refusé le paiement.",
    unpaired: "Non payé : ce navigateur n’est pas associé à Centime.",
    error: "Impossible de joindre Centime.",
  },
  problems: {
    no_host: "Centime n’est pas installé pour ce navigateur (pas d’hôte de messagerie native).",
    disconnected: "Centime a fermé la connexion.",
    timeout: "Centime n’a pas répondu.",
    unpaired: "Centime ne connaît plus ce navigateur : associez-le de nouveau.",
    pairing_declined: "L’association a été refusée dans Centime.",
    pairing_unavailable: "Centime ne peut pas garder de clé d’association ici (pas de trousseau).",
    code_mismatch: "Les codes diffèrent : l’association a été arrêtée.",
    bad_mac: "Un message n’a pas passé le contrôle ; la connexion a été fermée.",
    bad_answer: "La réponse de Centime n’a pas été comprise.",
  },
  problemOther: "Impossible de joindre Centime ({code}).",
};

export function language(tag: string): "en" | "fr" {
  return tag.toLowerCase().startsWith("fr") ? "fr" : "en";
}

export function messages(lang: "en" | "fr"): Messages {
  return lang === "fr" ? fr : en;
}

export function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => values[k] ?? m);
}
