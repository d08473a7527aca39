-- A task whose model request fails: the server's message reaches vim.notify at error level, and a
-- window/showMessageRequest (never sent to the plugin, but possible) is answered at once with null.
local h = require('harness')
local tasks = require('burrow.tasks')

local notes, stop_recording = h.record_notes(true)

vim.cmd('Burrow task ' .. h.params.prompt)
h.wait_for('the task to fail', function()
  local task = tasks.latest(function()
    return true
  end)
  return task and task.state == 'failed'
end)
stop_recording()
local failed = tasks.latest(function()
  return true
end)

local handler = require('burrow.handlers').table()['window/showMessageRequest']
local answer = handler(nil, { type = 3, message = 'Approve?', actions = { { title = 'Approve' } } }, { client_id = 1, method = 'window/showMessageRequest' })

return {
  errors = h.messages_at(notes, vim.log.levels.ERROR),
  server_message = failed.error and failed.error.message,
  prompt_answer_is_null = answer == vim.NIL,
  statusline = require('burrow').statusline(),
}
