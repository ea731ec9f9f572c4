import { expect, test } from "./fixtures";

test("no OS keyring: says so and creates a passphrase-protected file keystore", async ({ app }) => {
  const { page } = app;
  await app.open({ state: "no_wallet", osKeyringAvailable: false });
  await expect(page.getByRole("heading", { name: "Welcome to Centime" })).toBeVisible();
  await expect(page.getByText("This computer's keyring is not available")).toBeVisible();
  await expect(page.getByText("Reason: No Secret Service on the session bus")).toBeVisible();
  await expect(page.getByRole("radio", { name: /computer's keyring/ })).toBeDisabled();
  await expect(page.getByRole("radio", { name: /file protected by a passphrase/ })).toBeChecked();
  await expect(page.getByRole("checkbox", { name: /Trust the demo issuer/ })).toBeChecked();
  await app.shot("onboarding-no-keyring");

  const create = page.getByRole("button", { name: "Create my wallet" });
  await page.getByLabel("Passphrase", { exact: true }).fill("short");
  await create.click();
  await expect(page.getByText("The passphrase needs at least 8 characters.")).toBeVisible();
  await expect(page.getByLabel("Passphrase", { exact: true })).toHaveAttribute(
    "aria-invalid",
    "true",
  );

  await page.getByLabel("Passphrase", { exact: true }).fill("correct horse");
  await page.getByLabel("Type the passphrase again").fill("correct horsf");
  await create.click();
  await expect(page.getByText("The two passphrases are different.")).toBeVisible();

  await page.getByLabel("Type the passphrase again").fill("correct horse");
  await create.click();
  await expect(page.getByRole("heading", { name: "Your wallet" })).toBeVisible();
  expect(await app.calls("create_wallet")).toEqual([
    { args: { keystore: "file", passphrase: "correct horse", trustDemoIssuer: true } },
  ]);
});

test("with the OS keyring: creates the wallet there, no passphrase", async ({ app }) => {
  const { page } = app;
  await app.open({ state: "no_wallet" });
  await expect(page.getByRole("radio", { name: /computer's keyring/ })).toBeChecked();
  await expect(page.getByLabel("Passphrase", { exact: true })).toHaveCount(0);
  await app.shot("onboarding");
  await page.getByRole("checkbox", { name: /Trust the demo issuer/ }).uncheck();
  await page.getByRole("button", { name: "Create my wallet" }).click();
  await expect(page.getByRole("heading", { name: "Your wallet" })).toBeVisible();
  expect(await app.calls("create_wallet")).toEqual([
    { args: { keystore: "os", passphrase: null, trustDemoIssuer: false } },
  ]);
});

test("unlock: a wrong passphrase is explained, the right one opens the wallet", async ({ app }) => {
  const { page } = app;
  await app.open({ state: "locked", balance: "3.20" });
  await expect(page.getByRole("heading", { name: "Unlock your wallet" })).toBeVisible();
  await expect(page.getByLabel("Passphrase")).toBeFocused();
  await page.getByLabel("Passphrase").fill("nope nope");
  await page.keyboard.press("Enter");
  await expect(page.getByRole("alert")).toContainText(
    "The wallet did not unlock. Wrong passphrase for the wallet's key file.",
  );
  await app.shot("unlock-error");
  await page.getByLabel("Passphrase").fill("correct horse");
  await page.getByRole("button", { name: "Unlock" }).click();
  await expect(page.getByTestId("balance-EUR")).toHaveText("€3.20");
  expect(await app.calls("unlock")).toEqual([
    { passphrase: "nope nope" },
    { passphrase: "correct horse" },
  ]);
});

test.describe("in French", () => {
  test.use({ locale: "fr-FR" });
  test("the language comes from the system", async ({ app }) => {
    const { page } = app;
    await app.open({ state: "no_wallet", osKeyringAvailable: false });
    await expect(page.getByRole("heading", { name: "Bienvenue dans Centime" })).toBeVisible();
    await expect(
      page.getByText("Le trousseau de cet ordinateur n'est pas disponible"),
    ).toBeVisible();
    await expect(page.locator("html")).toHaveAttribute("lang", "fr");
    await app.shot("onboarding-fr");
  });
});
