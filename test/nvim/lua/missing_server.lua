-- A server command that does not exist: opening files says so once, a command says so again, and
-- nothing raises a Lua error.
local h = require('harness')
local notes = {}
vim.notify = function(msg, level)
  table.insert(notes, { msg = msg, level = level })
end
require('burrow').setup({ cmd = { 'burrow-is-not-installed', '--stdio' } })
vim.cmd('edit ' .. vim.fn.fnameescape(h.params.workspace .. '/one.txt'))
vim.cmd('edit ' .. vim.fn.fnameescape(h.params.workspace .. '/two.txt'))
local after_files = #notes
vim.cmd('Burrow status')
return { notes = notes, after_files = after_files }
