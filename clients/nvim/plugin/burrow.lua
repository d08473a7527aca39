-- Loaded at startup, so it only defines the :Burrow command and the highlight groups; the plugin's
-- modules load the first time a command runs or `require('burrow').setup()` is called.
if vim.g.loaded_burrow then
  return
end
vim.g.loaded_burrow = true

if vim.fn.has('nvim-0.7') == 0 then
  vim.api.nvim_echo({ { 'burrow.nvim needs Neovim 0.7 or newer.', 'ErrorMsg' } }, true, {})
  return
end

vim.api.nvim_create_user_command('Burrow', function(opts)
  require('burrow.commands').run(opts)
end, {
  nargs = '*',
  range = true,
  desc = 'Burrow: a local coding agent (:help burrow)',
  complete = function(arg_lead, cmdline)
    return require('burrow.commands').complete(arg_lead, cmdline)
  end,
})

-- Links, marked default so colour schemes can override them. Floats use NormalFloat where the
-- default colour scheme draws it quietly (0.10+); 0.7's default paints it as a pink menu.
vim.cmd([[
  highlight default link BurrowAccepted DiffAdd
  highlight default link BurrowRejected DiffDelete
  highlight default link BurrowPending WarningMsg
  highlight default link BurrowFloatBorder FloatBorder
]])
if vim.fn.has('nvim-0.10') == 1 then
  vim.cmd('highlight default link BurrowFloat NormalFloat')
else
  vim.cmd('highlight default link BurrowFloat Normal')
end
