-- A task whose model request fails: the server's message reaches vim.notify at error level, and a
-- window/showMessageRequest (never sent to the plugin, but possible) is answered at once with null.
local h = require('harness')
local tasks = require('burrow.tasks')

local notes = {}
local original_notify = vim.notify
vim.notify = function(msg, level)
  table.insert(notes, { msg = msg, level = level })
end

vim.cmd('Burrow task ' .. h.params.prompt)
h.wait_for('the task to fail', function()
  local task = tasks.latest(function()
    return true
  end)
  return task and task.state == 'failed'
end)
vim.notify = original_notify
local failed = tasks.latest(function()
  return true
end)

local handler = require('burrow.handlers').table()['window/showMessageRequest']
local answer = handler(nil, { type = 3, message = 'Approve?', actions = { { title = 'Approve' } } }, { client_id = 1, method = 'window/showMessageRequest' })

local errors = {}
for _, note in ipairs(notes) do
  if note.level == vim.log.levels.ERROR then
    table.insert(errors, note.msg)
  end
end
return {
  errors = errors,
  server_message = failed.error and failed.error.message,
  prompt_answer_is_null = answer == vim.NIL,
  statusline = require('burrow').statusline(),
}
