-- The configuration `vim.lsp.enable('burrow')` reads on Neovim 0.11+: the same command, root,
-- capabilities and handlers the plugin uses on older versions, built from the options given to
-- `require('burrow').setup()` (or the defaults when setup was never called).
return require('burrow.client').lsp_config()
