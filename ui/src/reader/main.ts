import { render } from "./page";
import "./reader.css";

render(document, location.hash);
window.addEventListener("hashchange", () => render(document, location.hash));
