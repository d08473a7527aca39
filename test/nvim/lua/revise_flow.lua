-- Gate 1 with feedback: `r` in the plan float asks for feedback (the prompt is answered by the
-- harness), a second plan arrives in a new float, `a` approves it, `gA` and <CR> in the diff tab
-- apply everything.
local h = require('harness')
local tasks = require('burrow.tasks')
local plan = require('burrow.plan')
local review = require('burrow.review')

h.answer_prompts(h.params.feedback)
local file_buf = vim.api.nvim_get_current_buf()
local out = {}
vim.cmd('Burrow task ' .. h.params.prompt)
h.wait_for('the first plan', function()
  return plan.current ~= nil
end)
local id = plan.current.taskId
out.first_plan = vim.api.nvim_buf_get_lines(plan.current.buf, 0, -1, false)
h.keys('r')
out.float_closed_after_revise = plan.current == nil
h.wait_for('the second plan', function()
  local task = tasks.get(id)
  return plan.current ~= nil and task.plan and task.plan.summary == h.params.second_summary
end)
out.second_plan = vim.api.nvim_buf_get_lines(plan.current.buf, 0, -1, false)
h.keys('a')
h.wait_for('the diff tab', function()
  return review.current ~= nil
end)
h.keys('gA')
out.accepted = review.accepted_ids()
h.keys('<CR>')
h.wait_for_state(id, 'applied', 'the task to be applied')
h.wait_for_written(file_buf)
out.prompts = h.prompts
out.disk = h.read_file(vim.api.nvim_buf_get_name(file_buf))
return out
