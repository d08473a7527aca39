-- :'<,'>Burrow task sends the selection as an LSP range (linewise and characterwise), with the
-- buffer's URI, and the server starts a task for it.
local h = require('harness')
local client = require('burrow.client')
local tasks = require('burrow.tasks')

local sent = {}
local execute = client.execute
client.execute = function(command, argument, callback)
  if command == 'burrow.task' then
    table.insert(sent, vim.deepcopy(argument))
  end
  return execute(command, argument, callback)
end

local out = { uri = vim.uri_from_bufnr(0) }
-- Linewise: lines 2 to 3.
vim.cmd('normal! 2GVj\27')
vim.cmd("'<,'>Burrow task explain these lines")
-- Characterwise: from line 4, column 5 to line 5, column 7 (1-based, inclusive).
vim.cmd('normal! 4G5|v5G7|\27')
vim.cmd("'<,'>Burrow task explain this part")
h.wait_for('both tasks to reach the plan gate', function()
  local waiting = 0
  for _, id in ipairs(tasks.order) do
    if tasks.gate(tasks.get(id)) == 'plan' then
      waiting = waiting + 1
    end
  end
  return waiting == 2
end, 20000)
out.sent = sent
return out
