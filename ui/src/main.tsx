import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { PreferencesProvider } from "./lib/preferences";
import { WalletProvider } from "./lib/wallet";
import "./styles.css";

const root = document.getElementById("root");
if (!root) throw new Error("#root is missing");
createRoot(root).render(
  <StrictMode>
    <PreferencesProvider>
      <WalletProvider>
        <App />
      </WalletProvider>
    </PreferencesProvider>
  </StrictMode>,
);
