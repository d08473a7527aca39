-- A task decided with commands only (no keys): :Burrow approve, :Burrow apply (every hunk without
-- the diff tab), :Burrow status, then :Burrow undo, which must put the file back on disk.
local h = require('harness')
local tasks = require('burrow.tasks')
local review = require('burrow.review')

local file_buf = vim.api.nvim_get_current_buf()
local path = vim.api.nvim_buf_get_name(file_buf)
local out = { statuslines = {} }

-- Every statusline text while progress arrives, to see that it says what the task is doing.
local progress = require('burrow.progress')
local on_progress = progress.on_progress
progress.on_progress = function(params)
  on_progress(params)
  table.insert(out.statuslines, require('burrow').statusline())
end

vim.cmd('Burrow task ' .. h.params.prompt)
h.wait_for('the plan', function()
  return tasks.latest_awaiting({ plan = true }) ~= nil
end)
local id = tasks.latest_awaiting({ plan = true }).taskId
vim.cmd('Burrow approve')
h.wait_for('the changes', function()
  return tasks.get(id).state == 'awaitingChangesApproval'
end)
out.review_opened = review.current ~= nil
vim.cmd('Burrow apply')
h.wait_for('the task to be applied', function()
  return tasks.get(id).state == 'applied'
end)
h.wait_for('the buffer to be written', function()
  return not vim.bo[file_buf].modified
end)
out.after_apply = h.read_file(path)
out.review_closed = review.current == nil

vim.cmd('Burrow status')
h.wait_for('the status float', function()
  return vim.api.nvim_win_get_config(0).relative ~= ''
end)
out.status_lines = vim.api.nvim_buf_get_lines(0, 0, -1, false)
h.keys('q')
out.status_closed = vim.api.nvim_win_get_config(0).relative == ''

vim.cmd('Burrow undo')
h.wait_for('the undo to reach the disk', function()
  return h.read_file(path) == h.params.original and not vim.bo[file_buf].modified
end)
out.after_undo = h.read_file(path)
out.buffer_after_undo = table.concat(vim.api.nvim_buf_get_lines(file_buf, 0, -1, false), '\n') .. '\n'
return out
