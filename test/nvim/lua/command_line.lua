-- The :Burrow command line: completion of subcommands and their arguments, and the usage text
-- for an unknown subcommand.
local commands = require('burrow.commands')
local notes = {}
vim.notify = function(msg, level)
  table.insert(notes, { msg = msg, level = level })
end
vim.cmd('Burrow frobnicate')
vim.cmd('Burrow')
return {
  all = commands.complete('', 'Burrow '),
  a = commands.complete('a', 'Burrow a'),
  hunk = commands.complete('', 'Burrow hunk '),
  task_flags = commands.complete('--', 'Burrow task --'),
  notes = notes,
}
