// @vitest-environment happy-dom
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, describe, expect, it } from "vitest";
import { COMMANDS } from "./bindings";
import * as commands from "./commands";
import { toAppError } from "./errors";

afterEach(() => clearMocks());

function record() {
  const calls: { cmd: string; args: unknown }[] = [];
  mockIPC((cmd, args) => {
    calls.push({ cmd, args });
    return null;
  });
  return calls;
}

describe("IPC commands", () => {
  it("send the argument names the Rust commands expect", async () => {
    const calls = record();
    const filter = { since: null, until: null, site: null, kind: null, status: null, search: null };
    const change = { autoPayUnder: "0.05", dailyCap: null, maxPerPayment: null };
    const site = {
      origin: "https://a.example",
      autoPay: true,
      blocked: null,
      maxPerPayment: "",
      budget: "2",
      period: "month" as const,
    };
    const issuer = { network: "demo", publicKey: "pk", name: null, url: "https://demo.example" };
    await commands.appStatus();
    await commands.createWallet({
      keystore: "file",
      passphrase: "p4ssphrase",
      trustDemoIssuer: true,
    });
    await commands.unlock("secret");
    await commands.dashboard();
    await commands.setPaused(true);
    await commands.topupDemo("5", "EUR");
    await commands.redeemCredit("centime://topup?x");
    await commands.openPricedPage("https://a.example/p");
    await commands.pendingPrompts();
    await commands.approvePrompt({ promptId: "p1", alwaysAllow: { budget: "2", period: "week" } });
    await commands.declinePrompt("p2");
    await commands.declineSitePrompts("https://a.example");
    await commands.history(filter, null, 50);
    await commands.historySummary(filter);
    await commands.historySites();
    await commands.insights(filter);
    await commands.entryDetails(42);
    await commands.exportHistory({ filter, format: "csv", path: "/tmp/h.csv" });
    await commands.cancelExport();
    await commands.sites();
    await commands.updateSite(site);
    await commands.removeSite("https://a.example");
    await commands.limits();
    await commands.updateLimits(change);
    await commands.issuers();
    await commands.addIssuer(issuer);
    await commands.removeIssuer("demo");
    await commands.setIssuerUrl("demo", "https://bank.example");
    await commands.backupWallet("/tmp/b", "pw");
    await commands.restoreWallet("/tmp/b", "pw");
    await commands.setLocale("fr");
    await commands.setPlainHttp(false);
    await commands.syncStatus();
    await commands.syncNow();
    await commands.pendingPairings();
    await commands.answerPairing("r1", true);
    await commands.browserPairings();
    await commands.removeBrowserPairing("p1");

    expect(calls).toEqual([
      { cmd: "app_status", args: {} },
      {
        cmd: "create_wallet",
        args: { args: { keystore: "file", passphrase: "p4ssphrase", trustDemoIssuer: true } },
      },
      { cmd: "unlock", args: { passphrase: "secret" } },
      { cmd: "dashboard", args: {} },
      { cmd: "set_paused", args: { paused: true } },
      { cmd: "topup_demo", args: { amount: "5", asset: "EUR" } },
      { cmd: "redeem_credit", args: { text: "centime://topup?x" } },
      { cmd: "open_priced_page", args: { url: "https://a.example/p" } },
      { cmd: "pending_prompts", args: {} },
      {
        cmd: "approve_prompt",
        args: { args: { promptId: "p1", alwaysAllow: { budget: "2", period: "week" } } },
      },
      { cmd: "decline_prompt", args: { promptId: "p2" } },
      { cmd: "decline_site_prompts", args: { origin: "https://a.example" } },
      { cmd: "history", args: { filter, cursor: null, limit: 50 } },
      { cmd: "history_summary", args: { filter } },
      { cmd: "history_sites", args: {} },
      { cmd: "insights", args: { filter } },
      { cmd: "entry_details", args: { id: 42 } },
      { cmd: "export_history", args: { args: { filter, format: "csv", path: "/tmp/h.csv" } } },
      { cmd: "cancel_export", args: {} },
      { cmd: "sites", args: {} },
      { cmd: "update_site", args: { change: site } },
      { cmd: "remove_site", args: { origin: "https://a.example" } },
      { cmd: "limits", args: {} },
      { cmd: "update_limits", args: { change } },
      { cmd: "issuers", args: {} },
      { cmd: "add_issuer", args: { issuer } },
      { cmd: "remove_issuer", args: { network: "demo" } },
      { cmd: "set_issuer_url", args: { network: "demo", url: "https://bank.example" } },
      { cmd: "backup_wallet", args: { path: "/tmp/b", passphrase: "pw" } },
      { cmd: "restore_wallet", args: { path: "/tmp/b", passphrase: "pw" } },
      { cmd: "set_locale", args: { locale: "fr" } },
      { cmd: "set_plain_http", args: { allowed: false } },
      { cmd: "sync_status", args: {} },
      { cmd: "sync_now", args: {} },
      { cmd: "pending_pairings", args: {} },
      { cmd: "answer_pairing", args: { id: "r1", accept: true } },
      { cmd: "browser_pairings", args: {} },
      { cmd: "remove_browser_pairing", args: { id: "p1" } },
    ]);
    // Every command of the generated contract has its function, and no other is called.
    expect(new Set(calls.map((c) => c.cmd))).toEqual(new Set(COMMANDS));
  });

  it("asks the dialog plugin for a save path with the format's extension", async () => {
    const calls = record();
    await commands.chooseExportPath("json", "centime-history.json", "Export");
    expect(calls).toEqual([
      {
        cmd: "plugin:dialog|save",
        args: {
          options: {
            title: "Export",
            defaultPath: "centime-history.json",
            filters: [{ name: "JSON", extensions: ["json"] }],
          },
        },
      },
    ]);
  });

  it("rejections carry the backend's {code, message}", async () => {
    mockIPC(() => {
      throw { code: "invalid_input", message: "amount: 1,234 is not a decimal" };
    });
    const e = await commands.topupDemo("1,234", "EUR").catch((err: unknown) => err);
    expect(toAppError(e)).toEqual({
      code: "invalid_input",
      message: "amount: 1,234 is not a decimal",
    });
    expect(toAppError("boom")).toEqual({ code: "internal", message: "boom" });
  });
});
