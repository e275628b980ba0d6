/* test_nlp.c - the intent parser (docs/assistant.md): intents, targets, fields, list
 * filters, quick-add tokens, typos and unknowns. Each case gives a message and a partial
 * JSON form, as the development set does (tests/assistant/): every key given must equal the
 * parser's value. Dates are docs/assistant-time.md's (the date reader's own tests are
 * test_nlp_when.c); here they only matter where they leave the title. */
#include <criterion/criterion.h>
#include <string.h>

#include "core/nlp.h"

#define NOW_MS 1796551200000LL /* Sunday 2026-12-06T10:00:00Z */

struct nlp_case {
    const char *text;
    const char *expect; /* partial JSON form */
};

/* Checks every case and reports each mismatch; returns the number that failed. */
static int check(const struct nlp_case *cases, size_t n)
{
    int failed = 0;
    for (size_t i = 0; i < n; i++) {
        json_error_t jerr;
        json_t *want = json_loads(cases[i].expect, 0, &jerr);
        cr_assert_not_null(want, "bad expectation for '%s': %s", cases[i].text, jerr.text);
        json_t *got =
            nlp_parse_json(cases[i].text, strlen(cases[i].text), NOW_MS, "America/New_York");
        const char *key;
        json_t *val;
        json_object_foreach(want, key, val)
        {
            json_t *g = json_object_get(got, key);
            if (!g)
                g = json_null();
            if (!json_equal(g, val)) {
                char *gs = json_dumps(got, JSON_COMPACT);
                char *ws = json_dumps(val, JSON_COMPACT | JSON_ENCODE_ANY);
                cr_log_error("'%s': %s expected %s, got %s", cases[i].text, key, ws, gs);
                free(gs);
                free(ws);
                failed++;
                break;
            }
        }
        json_decref(got);
        json_decref(want);
    }
    return failed;
}

#define CHECK(cases) cr_expect_eq(check(cases, sizeof cases / sizeof cases[0]), 0)

Test(nlp, add_phrasings_give_the_title_without_the_lead_in)
{
    static const struct nlp_case cases[] = {
        {"Add a task to buy groceries", "{\"intent\":\"add\",\"title\":\"Buy groceries\"}"},
        {"I need to remember to pay bills", "{\"intent\":\"add\",\"title\":\"Pay bills\"}"},
        {"new task: call mom", "{\"intent\":\"add\",\"title\":\"Call mom\"}"},
        {"add call the bank", "{\"intent\":\"add\",\"title\":\"Call the bank\"}"},
        {"Please add call the bank", "{\"intent\":\"add\",\"title\":\"Call the bank\"}"},
        {"create a task called Renew passport",
         "{\"intent\":\"add\",\"title\":\"Renew passport\"}"},
        {"remind me to water the plants", "{\"intent\":\"add\",\"title\":\"Water the plants\"}"},
        {"don't forget to feed the cat", "{\"intent\":\"add\",\"title\":\"Feed the cat\"}"},
        {"I have to finish the slides", "{\"intent\":\"add\",\"title\":\"Finish the slides\"}"},
        {"i should call grandma", "{\"intent\":\"add\",\"title\":\"Call grandma\"}"},
        {"note to self: book flights", "{\"intent\":\"add\",\"title\":\"Book flights\"}"},
        {"Add milk to my shopping list",
         "{\"intent\":\"add\",\"title\":\"Milk to my shopping list\"}"},
        {"add 'Read chapter 3' to my list", "{\"intent\":\"add\",\"title\":\"Read chapter 3\"}"},
        {"ADD A TASK TO CALL THE PLUMBER", "{\"intent\":\"add\",\"title\":\"CALL THE PLUMBER\"}"},
        {"could you add renew my library card please",
         "{\"intent\":\"add\",\"title\":\"Renew my library card\"}"},
        {"make a task to clean the garage", "{\"intent\":\"add\",\"title\":\"Clean the garage\"}"},
        {"make dinner reservations", "{\"intent\":\"add\",\"title\":\"Make dinner reservations\"}"},
        {"todo: fix the bike", "{\"intent\":\"add\",\"title\":\"Fix the bike\"}"},
        {"i want to learn the guitar", "{\"intent\":\"add\",\"title\":\"Learn the guitar\"}"},
        {"set a reminder to stretch", "{\"intent\":\"add\",\"title\":\"Stretch\"}"},
        {"Create a recurring task to backup my laptop every first Sunday of the month",
         "{\"intent\":\"add\",\"title\":\"Backup my laptop\"}"},
        {"schedule dentist appointment", "{\"intent\":\"add\",\"title\":\"Dentist appointment\"}"},
        {"add buy eggs with note: free range",
         "{\"intent\":\"add\",\"title\":\"Buy eggs\",\"description\":\"free range\"}"},
        {"add", "{\"intent\":\"add\",\"title\":null}"},
        {"add \"\"", "{\"intent\":\"add\",\"title\":null}"},
        {"add ''", "{\"intent\":\"add\",\"title\":null}"},
        {"Add \xF0\x9F\x8E\x89 party", "{\"intent\":\"add\",\"title\":\"\xF0\x9F\x8E\x89 party\"}"},
    };
    CHECK(cases);
}

Test(nlp, quick_add_tokens_match_the_web_ui)
{
    static const struct nlp_case cases[] = {
        {"Buy milk #shopping p1", "{\"intent\":\"add\",\"title\":\"Buy "
                                  "milk\",\"priority\":\"high\",\"tags\":[\"shopping\"]}"},
        {"add pay rent #bills #Home !high",
         "{\"title\":\"Pay rent\",\"priority\":\"high\",\"tags\":[\"bills\",\"home\"]}"},
        {"add water plants !low", "{\"title\":\"Water plants\",\"priority\":\"low\"}"},
        {"add water plants !medium", "{\"priority\":\"medium\"}"},
        {"add file taxes !1", "{\"title\":\"File taxes\",\"priority\":\"high\"}"},
        {"add file taxes !2", "{\"priority\":\"medium\"}"},
        {"add file taxes !3", "{\"priority\":\"low\"}"},
        {"add file taxes p2", "{\"title\":\"File taxes\",\"priority\":\"medium\"}"},
        {"add file taxes p3", "{\"priority\":\"low\"}"},
        {"add call the bank high priority", "{\"title\":\"Call the bank\",\"priority\":\"high\"}"},
        {"add call the bank with low priority",
         "{\"title\":\"Call the bank\",\"priority\":\"low\"}"},
        {"add call the bank, urgent", "{\"title\":\"Call the bank\",\"priority\":\"high\"}"},
        {"add fix the leak it's urgent", "{\"title\":\"Fix the leak\",\"priority\":\"high\"}"},
        {"add an important meeting prep", "{\"title\":\"An important meeting prep\"}"},
        {"add read a book tagged leisure and home",
         "{\"title\":\"Read a book\",\"tags\":[\"leisure\",\"home\"]}"},
        {"Pay rent #bills !high", "{\"intent\":\"add\",\"title\":\"Pay rent\"}"},
        {"add buy milk #shopping #shopping", "{\"tags\":[\"shopping\"]}"},
        {"add the #1 priority item", "{\"intent\":\"add\"}"},
    };
    CHECK(cases);
}

Test(nlp, list_filters_map_to_the_list_query)
{
    static const struct nlp_case cases[] = {
        {"Show me all my tasks", "{\"intent\":\"list\",\"filter\":{\"status\":\"all\"}}"},
        {"What's pending?", "{\"intent\":\"list\",\"filter\":{\"status\":\"pending\"}}"},
        {"what's due today", "{\"intent\":\"list\",\"filter\":{\"due\":\"today\"}}"},
        {"what's due this week", "{\"intent\":\"list\",\"filter\":{\"due\":\"week\"}}"},
        {"what's overdue", "{\"intent\":\"list\",\"filter\":{\"due\":\"overdue\"}}"},
        {"what is due tomorrow?", "{\"intent\":\"list\",\"filter\":{\"due\":\"tomorrow\"}}"},
        {"show high priority tasks", "{\"intent\":\"list\",\"filter\":{\"priority\":[\"high\"]}}"},
        {"list urgent tasks", "{\"intent\":\"list\",\"filter\":{\"priority\":[\"high\"]}}"},
        {"show low and medium priority tasks", "{\"filter\":{\"priority\":[\"medium\",\"low\"]}}"},
        {"tasks tagged work", "{\"intent\":\"list\",\"filter\":{\"tags\":[\"work\"]}}"},
        {"show #home tasks", "{\"intent\":\"list\",\"filter\":{\"tags\":[\"home\"]}}"},
        {"search for dentist", "{\"intent\":\"list\",\"filter\":{\"q\":\"dentist\"}}"},
        {"find tasks about dentist", "{\"intent\":\"list\",\"filter\":{\"q\":\"dentist\"}}"},
        {"What have I completed?", "{\"intent\":\"list\",\"filter\":{\"status\":\"completed\"}}"},
        {"show completed tasks", "{\"filter\":{\"status\":\"completed\"}}"},
        {"show my open tasks", "{\"filter\":{\"status\":\"pending\"}}"},
        {"what do I still have to do", "{\"intent\":\"list\",\"filter\":{\"status\":\"pending\"}}"},
        {"can you show me my overdue tasks", "{\"filter\":{\"due\":\"overdue\"}}"},
        {"overdue", "{\"intent\":\"list\",\"filter\":{\"due\":\"overdue\"}}"},
        {"my tasks", "{\"intent\":\"list\"}"},
        {"list my tasks by due date", "{\"filter\":{\"sort\":\"due_at\"}}"},
        {"show tasks sorted by priority", "{\"filter\":{\"sort\":\"-priority\"}}"},
        {"show newest first", "{\"filter\":{\"sort\":\"-created_at\"}}"},
        {"list tasks alphabetically", "{\"filter\":{\"sort\":\"title\"}}"},
        {"show tasks with no due date", "{\"filter\":{\"due\":\"none\"}}"},
        {"show all overdue tasks", "{\"filter\":{\"due\":\"overdue\"}}"},
        {"show pending work tasks tagged work due today",
         "{\"filter\":{\"status\":\"pending\",\"tags\":[\"work\"],\"due\":\"today\"}}"},
        {"SHOW ME EVERYTHING", "{\"intent\":\"list\"}"},
        {"any tasks due tomorrow?", "{\"filter\":{\"due\":\"tomorrow\"}}"},
        {"look for 'tax return'", "{\"filter\":{\"q\":\"tax return\"}}"},
        {"show tasks I haven't done", "{\"filter\":{\"status\":\"pending\"}}"},
        {"show low-priority tasks", "{\"filter\":{\"priority\":[\"low\"]}}"},
        {"show me task 5", "{\"intent\":\"list\",\"target\":{\"id\":5}}"},
        {"Show me tasks due before friday",
         "{\"intent\":\"list\",\"due\":\"2026-12-11T09:00:00-05:00\",\"filter\":null}"},
    };
    CHECK(cases);
}

Test(nlp, complete_reopen_and_delete_name_their_target)
{
    static const struct nlp_case cases[] = {
        {"Mark task 3 as complete", "{\"intent\":\"complete\",\"target\":{\"id\":3}}"},
        {"done with the groceries",
         "{\"intent\":\"complete\",\"target\":{\"words\":\"groceries\"}}"},
        {"I finished the report", "{\"intent\":\"complete\",\"target\":{\"words\":\"report\"}}"},
        {"check off task 2", "{\"intent\":\"complete\",\"target\":{\"id\":2}}"},
        {"complete #7", "{\"intent\":\"complete\",\"target\":{\"id\":7}}"},
        {"finish number 4", "{\"intent\":\"complete\",\"target\":{\"id\":4}}"},
        {"mark it done", "{\"intent\":\"complete\",\"target\":{\"previous\":true}}"},
        {"task 3 is done", "{\"intent\":\"complete\",\"target\":{\"id\":3}}"},
        {"#4 done", "{\"intent\":\"complete\",\"target\":{\"id\":4}}"},
        {"complete the 3rd one", "{\"intent\":\"complete\",\"target\":{\"id\":3}}"},
        {"i've completed my dentist appointment",
         "{\"intent\":\"complete\",\"target\":{\"words\":\"dentist appointment\"}}"},
        {"reopen task 3", "{\"intent\":\"reopen\",\"target\":{\"id\":3}}"},
        {"undo task 3", "{\"intent\":\"reopen\",\"target\":{\"id\":3}}"},
        {"mark it as not done", "{\"intent\":\"reopen\",\"target\":{\"previous\":true}}"},
        {"mark task 5 as incomplete", "{\"intent\":\"reopen\",\"target\":{\"id\":5}}"},
        {"I didn't finish the report", "{\"intent\":\"reopen\",\"target\":{\"words\":\"report\"}}"},
        {"Delete the meeting task", "{\"intent\":\"delete\",\"target\":{\"words\":\"meeting\"}}"},
        {"remove task 4", "{\"intent\":\"delete\",\"target\":{\"id\":4}}"},
        {"delete it", "{\"intent\":\"delete\",\"target\":{\"previous\":true}}"},
        {"get rid of the one about groceries",
         "{\"intent\":\"delete\",\"target\":{\"words\":\"groceries\"}}"},
        {"cancel the meeting", "{\"intent\":\"delete\",\"target\":{\"words\":\"meeting\"}}"},
        {"delete all my tasks",
         "{\"intent\":\"delete\",\"target\":{\"all\":true},\"filter\":null}"},
        {"delete everything", "{\"intent\":\"delete\",\"target\":{\"all\":true}}"},
        {"delete all completed tasks",
         "{\"intent\":\"delete\",\"target\":{\"all\":true},\"filter\":{\"status\":\"completed\"}}"},
        {"clear completed tasks",
         "{\"intent\":\"delete\",\"target\":{\"all\":true},\"filter\":{\"status\":\"completed\"}}"},
        {"complete everything due today",
         "{\"intent\":\"complete\",\"target\":{\"all\":true},\"filter\":{\"due\":\"today\"}}"},
        {"delete them", "{\"intent\":\"delete\",\"target\":{\"previous\":true}}"},
        {"clear my list", "{\"intent\":\"delete\",\"target\":{\"all\":true},\"filter\":null}"},
        {"delete all my grocery tasks",
         "{\"intent\":\"delete\",\"target\":{\"all\":true},\"filter\":{\"q\":\"grocery\"}}"},
        {"make all my work tasks high priority",
         "{\"intent\":\"update\",\"priority\":\"high\",\"target\":{\"all\":true},\"filter\":{"
         "\"q\":\"work\"}}"},
        {"remove that one", "{\"intent\":\"delete\",\"target\":{\"previous\":true}}"},
        {"delete task number 12", "{\"target\":{\"id\":12}}"},
    };
    CHECK(cases);
}

Test(nlp, updates_read_the_field_and_the_target)
{
    static const struct nlp_case cases[] = {
        {"Change task 1 to 'Call mom tonight'", "{\"intent\":\"update\",\"title\":\"Call mom "
                                                "tonight\",\"due\":null,\"target\":{\"id\":1}}"},
        {"rename task 2 to Buy eggs",
         "{\"intent\":\"update\",\"title\":\"Buy eggs\",\"target\":{\"id\":2}}"},
        {"rename it to \"Team sync\"", "{\"title\":\"Team sync\",\"target\":{\"previous\":true}}"},
        {"change the title of task 4 to Plan the party",
         "{\"intent\":\"update\",\"title\":\"Plan the party\",\"target\":{\"id\":4}}"},
        {"make it high priority",
         "{\"intent\":\"update\",\"priority\":\"high\",\"target\":{\"previous\":true}}"},
        {"set the priority of task 2 to low",
         "{\"intent\":\"update\",\"priority\":\"low\",\"target\":{\"id\":2}}"},
        {"make task 3 urgent",
         "{\"intent\":\"update\",\"priority\":\"high\",\"target\":{\"id\":3}}"},
        {"prioritize the report", "{\"priority\":\"high\",\"target\":{\"words\":\"report\"}}"},
        {"mark task 6 as important",
         "{\"intent\":\"update\",\"priority\":\"high\",\"target\":{\"id\":6}}"},
        {"task 2 is low priority",
         "{\"intent\":\"update\",\"priority\":\"low\",\"target\":{\"id\":2}}"},
        {"set task 3 to done", "{\"intent\":\"complete\",\"target\":{\"id\":3}}"},
        {"tag task 4 with home",
         "{\"intent\":\"update\",\"tags\":[\"home\"],\"target\":{\"id\":4}}"},
        {"tag it work",
         "{\"intent\":\"update\",\"tags\":[\"work\"],\"target\":{\"previous\":true}}"},
        {"add tag errands to task 9",
         "{\"intent\":\"update\",\"tags\":[\"errands\"],\"target\":{\"id\":9}}"},
        {"add #home to it",
         "{\"intent\":\"update\",\"tags\":[\"home\"],\"target\":{\"previous\":true}}"},
        {"remove tag home from task 4",
         "{\"intent\":\"update\",\"remove_tags\":[\"home\"],\"target\":{\"id\":4}}"},
        {"untag task 4 home",
         "{\"intent\":\"update\",\"remove_tags\":[\"home\"],\"target\":{\"id\":4}}"},
        {"remove the work tag from task 8", "{\"remove_tags\":[\"work\"],\"target\":{\"id\":8}}"},
        {"remove the due date from task 5",
         "{\"intent\":\"update\",\"clear\":[\"due\"],\"target\":{\"id\":5}}"},
        {"clear the deadline of it", "{\"clear\":[\"due\"],\"target\":{\"previous\":true}}"},
        {"remove the reminders from task 2", "{\"clear\":[\"reminders\"],\"target\":{\"id\":2}}"},
        {"remove all tags from task 2", "{\"clear\":[\"tags\"],\"target\":{\"id\":2}}"},
        {"delete the description of task 2", "{\"clear\":[\"description\"],\"target\":{\"id\":2}}"},
        {"stop repeating task 6",
         "{\"intent\":\"update\",\"clear\":[\"recurrence\"],\"target\":{\"id\":6}}"},
        {"don't repeat it anymore", "{\"clear\":[\"recurrence\"],\"target\":{\"previous\":true}}"},
        {"make task 6 not repeat", "{\"clear\":[\"recurrence\"],\"target\":{\"id\":6}}"},
        {"add a note to task 2: bring the receipts",
         "{\"intent\":\"update\",\"description\":\"bring the receipts\",\"target\":{\"id\":2}}"},
        {"set the description of task 2 to meet at 5pm",
         "{\"intent\":\"update\",\"description\":\"meet at "
         "5pm\",\"due\":null,\"target\":{\"id\":2}}"},
        {"note on task 3: ask for the invoice",
         "{\"intent\":\"update\",\"description\":\"ask for the invoice\",\"target\":{\"id\":3}}"},
        {"change the groceries task to Buy bread",
         "{\"title\":\"Buy bread\",\"target\":{\"words\":\"groceries\"}}"},
    };
    CHECK(cases);
}

Test(nlp, confirmations_cancels_and_help)
{
    static const struct nlp_case cases[] = {
        {"yes", "{\"intent\":\"confirm\"}"},
        {"Yes!", "{\"intent\":\"confirm\"}"},
        {"yep", "{\"intent\":\"confirm\"}"},
        {"do it", "{\"intent\":\"confirm\"}"},
        {"yes please", "{\"intent\":\"confirm\"}"},
        {"ok go ahead", "{\"intent\":\"confirm\"}"},
        {"sure, delete them", "{\"intent\":\"confirm\"}"},
        {"no", "{\"intent\":\"cancel\"}"},
        {"never mind", "{\"intent\":\"cancel\"}"},
        {"cancel", "{\"intent\":\"cancel\"}"},
        {"nope, keep them", "{\"intent\":\"cancel\"}"},
        {"forget it", "{\"intent\":\"cancel\"}"},
        {"sure thing", "{\"intent\":\"confirm\"}"},
        {"hold on", "{\"intent\":\"cancel\"}"},
        {"no don't delete them", "{\"intent\":\"cancel\"}"},
        {"help", "{\"intent\":\"help\"}"},
        {"what can you do", "{\"intent\":\"help\"}"},
        {"What can you do?", "{\"intent\":\"help\"}"},
        {"how does this work", "{\"intent\":\"help\"}"},
        {"help me", "{\"intent\":\"help\"}"},
    };
    CHECK(cases);
}

Test(nlp, typos_in_verbs_are_read)
{
    static const struct nlp_case cases[] = {
        {"delte task 3", "{\"intent\":\"delete\",\"target\":{\"id\":3}}"},
        {"compelte task 2", "{\"intent\":\"complete\",\"target\":{\"id\":2}}"},
        {"remnd me to call mom", "{\"intent\":\"add\",\"title\":\"Call mom\"}"},
        {"updte task 3 to buy bread", "{\"intent\":\"update\",\"title\":\"Buy bread\"}"},
        {"Delet task 1", "{\"intent\":\"delete\",\"target\":{\"id\":1}}"},
        {"remvoe task 1", "{\"intent\":\"delete\",\"target\":{\"id\":1}}"},
        {"DELETE TASK 1", "{\"intent\":\"delete\",\"target\":{\"id\":1}}"},
        {"CoMpLeTe TaSk 2", "{\"intent\":\"complete\",\"target\":{\"id\":2}}"},
        {"shwo my tasks", "{\"intent\":\"list\"}"},
        {"shw my tasks", "{\"intent\":\"list\"}"},
        {"lst my tasks", "{\"intent\":\"list\"}"},
        {"sow the seeds", "{\"intent\":\"add\",\"title\":\"Sow the seeds\"}"},
    };
    CHECK(cases);
}

Test(nlp, selections_and_unknown_input)
{
    static const struct nlp_case cases[] = {
        {"the second one", "{\"intent\":\"unknown\",\"target\":{\"id\":2}}"},
        {"2", "{\"intent\":\"unknown\",\"target\":{\"id\":2}}"},
        {"task 5", "{\"intent\":\"unknown\",\"target\":{\"id\":5}}"},
        {"the one about groceries",
         "{\"intent\":\"unknown\",\"target\":{\"words\":\"groceries\"}}"},
        {"asdfgh", "{\"intent\":\"unknown\",\"title\":null,\"target\":null}"},
        {"what's the weather", "{\"intent\":\"unknown\"}"},
        {"hello", "{\"intent\":\"unknown\"}"},
        {"", "{\"intent\":\"unknown\",\"title\":null,\"due\":null,\"all_day\":false,"
             "\"rrule\":null,\"from_completion\":false}"},
        {"   ", "{\"intent\":\"unknown\"}"},
        {"???", "{\"intent\":\"unknown\"}"},
        {"the", "{\"intent\":\"unknown\"}"},
        {"tell me a joke", "{\"intent\":\"unknown\"}"},
    };
    CHECK(cases);
}

Test(nlp, dates_leave_the_title_and_set_due_rule_and_reminders)
{
    /* now: Sunday 2026-12-06 05:00 in New York */
    static const struct nlp_case cases[] = {
        {"add buy milk tomorrow #shopping !high",
         "{\"title\":\"Buy milk\",\"due\":\"2026-12-07T09:00:00-05:00\",\"all_day\":true}"},
        {"remind me to pay rent on the 1st of every month at 9am",
         "{\"intent\":\"add\",\"title\":\"Pay rent\",\"due\":\"2027-01-01T09:00:00-05:00\","
         "\"all_day\":false,\"rrule\":\"FREQ=MONTHLY;BYMONTHDAY=1\"}"},
        {"change task 1 to call mom tonight",
         "{\"intent\":\"update\",\"title\":\"Call mom\",\"due\":\"2026-12-06T20:00:00-05:00\","
         "\"target\":{\"id\":1}}"},
        {"move the dentist to friday",
         "{\"intent\":\"update\",\"due\":\"2026-12-11T09:00:00-05:00\",\"target\":{\"words\":"
         "\"dentist\"}}"},
        {"push it to tomorrow", "{\"intent\":\"update\",\"target\":{\"previous\":true},"
                                "\"due\":\"2026-12-07T09:00:00-05:00\"}"},
        {"remind me 30 minutes before",
         "{\"intent\":\"update\",\"reminders\":[{\"before\":\"PT30M\"}],\"target\":{"
         "\"previous\":true}}"},
        {"remind me at 8am", "{\"intent\":\"update\",\"reminders\":[{\"at\":\"2026-12-06T08:00:"
                             "00-05:00\"}]}"},
        {"make it repeat every week",
         "{\"intent\":\"update\",\"rrule\":\"FREQ=WEEKLY\",\"target\":{\"previous\":true}}"},
        {"finish the draft by friday",
         "{\"intent\":\"add\",\"title\":\"Finish the draft\",\"due\":\"2026-12-11T09:00:00-"
         "05:00\"}"},
        {"check the oven in 45 minutes", "{\"intent\":\"add\",\"title\":\"Check the oven\"}"},
        {"add mow the lawn every 2 weeks after I finish it",
         "{\"title\":\"Mow the lawn\",\"rrule\":\"FREQ=WEEKLY;INTERVAL=2\",\"from_completion\":"
         "true}"},
        {"task 3 is due friday",
         "{\"intent\":\"update\",\"target\":{\"id\":3},\"due\":\"2026-12-11T09:00:00-05:00\"}"},
        {"complete task 3", "{\"due\":null,\"all_day\":false}"},
        {"Plan Monday meeting notes", "{\"intent\":\"add\"}"},
        {"buy milk", "{\"intent\":\"add\",\"title\":\"Buy milk\",\"due\":null}"},
        {"the one due friday", "{\"intent\":\"unknown\",\"due\":\"2026-12-11T09:00:00-05:00\"}"},
    };
    CHECK(cases);
}

Test(nlp, unseen_phrasings_read_as_a_person_means_them)
{
    static const struct nlp_case cases[] = {
        {"Got the milk", "{\"intent\":\"complete\",\"target\":{\"words\":\"milk\"}}"},
        {"Please remove task nine", "{\"intent\":\"delete\",\"target\":{\"id\":9}}"},
        {"get rid of everything that's completed",
         "{\"intent\":\"delete\",\"target\":{\"all\":true},\"filter\":{\"status\":"
         "\"completed\"}}"},
        {"I don't need the car wash task anymore",
         "{\"intent\":\"delete\",\"target\":{\"words\":\"car wash\"}}"},
        {"delete task 3 for good", "{\"intent\":\"delete\",\"target\":{\"id\":3}}"},
        {"bump task 3 to high priority",
         "{\"intent\":\"update\",\"priority\":\"high\",\"target\":{\"id\":3}}"},
        {"mark task 3 as not done yet", "{\"intent\":\"reopen\",\"target\":{\"id\":3}}"},
        {"Remind me tomorrow at 9 to call the bank",
         "{\"intent\":\"add\",\"title\":\"Call the bank\",\"due\":\"2026-12-07T09:00:00-05:"
         "00\"}"},
        {"Schedule a haircut for Saturday morning", "{\"intent\":\"add\",\"title\":\"Haircut\"}"},
        {"find the dentist one", "{\"intent\":\"list\",\"filter\":{\"q\":\"dentist\"}}"},
        {"I finished the report today",
         "{\"intent\":\"complete\",\"target\":{\"words\":\"report\"}}"},
        {"could you please put \"renew passport\" on my list",
         "{\"intent\":\"add\",\"title\":\"Renew passport\"}"},
        {"Tick off the laundry", "{\"intent\":\"complete\",\"target\":{\"words\":\"laundry\"}}"},
        {"number 5 is done", "{\"intent\":\"complete\",\"target\":{\"id\":5}}"},
        {"what's on my plate today", "{\"intent\":\"list\",\"filter\":{\"due\":\"today\"}}"},
        {"Do I have anything due this week?",
         "{\"intent\":\"list\",\"filter\":{\"due\":\"week\"}}"},
        {"postpone the meeting until next week",
         "{\"intent\":\"update\",\"target\":{\"words\":\"meeting\"}}"},
        {"can you tag the report with work and urgent",
         "{\"intent\":\"update\",\"tags\":[\"work\",\"urgent\"],\"target\":{\"words\":"
         "\"report\"}}"},
        {"i didn't actually finish the laundry", "{\"intent\":\"reopen\"}"},
        {"thanks!", "{\"intent\":\"unknown\"}"},
        {"is it going to rain tomorrow?", "{\"intent\":\"unknown\"}"},
        {"what do I have tomorrow", "{\"intent\":\"list\",\"filter\":{\"due\":\"tomorrow\"}}"},
        {"what's next", "{\"intent\":\"list\"}"},
        {"What can I ask you?", "{\"intent\":\"help\"}"},
        {"i must not forget mom's birthday on march 3",
         "{\"intent\":\"add\",\"title\":\"Mom's birthday\",\"due\":\"2027-03-03T09:00:00-05:00\"}"},
        {"Please add a task: email the landlord about the leak, tag it home",
         "{\"title\":\"Email the landlord about the leak\",\"tags\":[\"home\"]}"},
        {"what's due on Friday?",
         "{\"intent\":\"list\",\"due\":\"2026-12-11T09:00:00-05:00\",\"filter\":null}"},
        {"set a reminder for the dentist 1 hour before",
         "{\"intent\":\"update\",\"reminders\":[{\"before\":\"PT1H\"}],\"target\":{\"words\":"
         "\"dentist\"}}"},
        {"the report is high priority",
         "{\"intent\":\"update\",\"priority\":\"high\",\"target\":{\"words\":\"report\"}}"},
        {"make the standup repeat every weekday",
         "{\"intent\":\"update\",\"rrule\":\"FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR\",\"target\":{"
         "\"words\":\"standup\"}}"},
        {"put dentist on my calendar for the 15th",
         "{\"intent\":\"add\",\"title\":\"Dentist\",\"due\":\"2026-12-15T09:00:00-05:00\"}"},
        {"the meeting is at 3pm", "{\"intent\":\"add\",\"title\":\"The meeting\"}"},
        {"I've taken out the trash", "{\"intent\":\"complete\",\"target\":{\"words\":\"trash\"}}"},
        {"I paid the rent", "{\"intent\":\"complete\",\"target\":{\"words\":\"rent\"}}"},
        {"just called mom", "{\"intent\":\"complete\",\"target\":{\"words\":\"mom\"}}"},
        {"I needed milk", "{\"intent\":\"add\"}"},
        {"Delete my 3pm meeting",
         "{\"intent\":\"delete\",\"target\":{\"words\":\"meeting\"},\"due\":\"2026-12-06T15:"
         "00:00-05:00\"}"},
        {"scratch that", "{\"intent\":\"delete\",\"target\":{\"previous\":true}}"},
        {"no wait, make it tomorrow",
         "{\"intent\":\"update\",\"target\":{\"previous\":true},\"due\":\"2026-12-07T09:00:00-"
         "05:00\"}"},
        {"move it up to today", "{\"intent\":\"update\",\"target\":{\"previous\":true}}"},
        {"give it a due date of friday",
         "{\"intent\":\"update\",\"target\":{\"previous\":true},\"due\":\"2026-12-11T09:00:00-"
         "05:00\"}"},
        {"did the laundry", "{\"intent\":\"complete\",\"target\":{\"words\":\"laundry\"}}"},
        {"did I finish the report?", "{\"intent\":\"list\"}"},
        {"do the dishes", "{\"intent\":\"add\",\"title\":\"Do the dishes\"}"},
        {"do I have anything due today", "{\"intent\":\"list\"}"},
        {"drop off the package at the post office",
         "{\"intent\":\"add\",\"title\":\"Drop off the package at the post office\"}"},
        {"clear out completed tasks", "{\"intent\":\"delete\",\"target\":{\"all\":true}}"},
        {"give the dog a bath", "{\"intent\":\"add\",\"title\":\"Give the dog a bath\"}"},
        {"it's due next week", "{\"intent\":\"update\",\"target\":{\"previous\":true}}"},
        {"it's urgent",
         "{\"intent\":\"update\",\"priority\":\"high\",\"target\":{\"previous\":true}}"},
        {"add a reminder an hour before",
         "{\"intent\":\"update\",\"reminders\":[{\"before\":\"PT1H\"}],\"target\":{"
         "\"previous\":true}}"},
        {"remind me about it tomorrow morning",
         "{\"intent\":\"update\",\"due\":null,\"reminders\":[{\"at\":\"2026-12-07T09:00:00-05:"
         "00\"}]}"},
        {"add the tag errands",
         "{\"intent\":\"update\",\"tags\":[\"errands\"],\"target\":{\"previous\":true}}"},
        {"make it a one-off",
         "{\"intent\":\"update\",\"clear\":[\"recurrence\"],\"target\":{\"previous\":true}}"},
        {"delete all but the first", "{\"intent\":\"unknown\",\"target\":null}"},
        {"delete task 3 and task 4", "{\"intent\":\"unknown\",\"target\":null}"},
        {"complete tasks 1, 2 and 3", "{\"intent\":\"unknown\"}"},
        {"delete everything except work", "{\"intent\":\"unknown\"}"},
        {"complete the report tomorrow", "{\"intent\":\"add\",\"title\":\"Complete the report\"}"},
        {"complete task 3 tomorrow",
         "{\"intent\":\"complete\",\"target\":{\"id\":3},\"due\":null}"},
    };
    CHECK(cases);
}

/* The held-out set's intent defects (docs/assistant-evaluation.md), each with kin phrasings
 * nobody had written: the rule, not the sentence. */
Test(nlp, a_done_statement_names_its_task_even_in_a_contraction_or_negated)
{
    static const struct nlp_case cases[] = {
        {"that's done", "{\"intent\":\"complete\",\"target\":{\"previous\":true}}"},
        {"it's done", "{\"intent\":\"complete\",\"target\":{\"previous\":true}}"},
        {"that's finished now", "{\"intent\":\"complete\",\"target\":{\"previous\":true}}"},
        {"they're done", "{\"intent\":\"complete\",\"target\":{\"previous\":true}}"},
        {"that's not done", "{\"intent\":\"reopen\",\"target\":{\"previous\":true}}"},
        {"it's not finished yet", "{\"intent\":\"reopen\",\"target\":{\"previous\":true}}"},
        {"task 8 isn't done", "{\"intent\":\"reopen\",\"target\":{\"id\":8}}"},
        {"task 8 isn't done yet", "{\"intent\":\"reopen\",\"target\":{\"id\":8}}"},
        {"the report isn't finished", "{\"intent\":\"reopen\",\"target\":{\"words\":\"report\"}}"},
        {"#4 isn't complete", "{\"intent\":\"reopen\",\"target\":{\"id\":4}}"},
        {"it isn't done", "{\"intent\":\"reopen\",\"target\":{\"previous\":true}}"},
        {"task 2 wasn't completed", "{\"intent\":\"reopen\",\"target\":{\"id\":2}}"},
        {"task 2 hasn't been done", "{\"intent\":\"reopen\",\"target\":{\"id\":2}}"},
        {"the laundry is done", "{\"intent\":\"complete\",\"target\":{\"words\":\"laundry\"}}"},
        {"show tasks I haven't done", "{\"intent\":\"list\",\"filter\":{\"status\":\"pending\"}}"},
        {"task 5's done", "{\"intent\":\"complete\",\"target\":{\"id\":5}}"},
        {"#5's done", "{\"intent\":\"complete\",\"target\":{\"id\":5}}"},
        {"the report's finished", "{\"intent\":\"complete\",\"target\":{\"words\":\"report\"}}"},
        {"the report's not done yet", "{\"intent\":\"reopen\",\"target\":{\"words\":\"report\"}}"},
        {"show me what's done", "{\"intent\":\"list\",\"filter\":{\"status\":\"completed\"}}"},
        {"all done with task 2", "{\"intent\":\"complete\",\"target\":{\"id\":2}}"},
        {"all completed tasks", "{\"intent\":\"list\",\"filter\":{\"status\":\"completed\"}}"},
        {"task 4 is no longer done", "{\"intent\":\"reopen\",\"target\":{\"id\":4}}"},
        {"task 3 - done", "{\"intent\":\"complete\",\"target\":{\"id\":3}}"},
        {"it's sorted", "{\"intent\":\"complete\",\"target\":{\"previous\":true}}"},
        {"the report is handled", "{\"intent\":\"complete\",\"target\":{\"words\":\"report\"}}"},
        {"the list is sorted by date", "{\"intent\":\"list\"}"},
    };
    CHECK(cases);
}

Test(nlp, a_possessive_task_number_names_the_task)
{
    static const struct nlp_case cases[] = {
        {"change task 3's title to Buy oat milk",
         "{\"intent\":\"update\",\"target\":{\"id\":3},\"title\":\"Buy oat milk\"}"},
        {"change task 3 title to Buy oat milk",
         "{\"intent\":\"update\",\"target\":{\"id\":3},\"title\":\"Buy oat milk\"}"},
        {"change task 3's name to Buy oat milk",
         "{\"intent\":\"update\",\"target\":{\"id\":3},\"title\":\"Buy oat milk\"}"},
        {"change task 12's priority to high",
         "{\"intent\":\"update\",\"target\":{\"id\":12},\"priority\":\"high\"}"},
        {"set task 4's description to bring receipts",
         "{\"intent\":\"update\",\"target\":{\"id\":4},\"description\":\"bring receipts\"}"},
        {"update task 9's tags to home and work",
         "{\"intent\":\"update\",\"target\":{\"id\":9},\"tags\":[\"home\",\"work\"]}"},
        {"move task 7's due date to monday",
         "{\"intent\":\"update\",\"target\":{\"id\":7},\"due\":\"2026-12-07T09:00:00-05:00\"}"},
        {"change the report's priority to low",
         "{\"intent\":\"update\",\"target\":{\"words\":\"report\"},\"priority\":\"low\"}"},
        {"change #3's due date to tomorrow",
         "{\"intent\":\"update\",\"target\":{\"id\":3},\"due\":\"2026-12-07T09:00:00-05:00\","
         "\"tags\":null}"},
        /* a tag longer than a token's word buffer (found by fuzz_nlp) */
        {"buy milk #abcdefghijklmnopqrstuvwxyzabcdefghij's",
         "{\"intent\":\"add\",\"title\":\"Buy "
         "milk\",\"tags\":[\"abcdefghijklmnopqrstuvwxyzabcdefghij's\"]}"},
        {"task 6's title should be Pay rent",
         "{\"intent\":\"update\",\"target\":{\"id\":6},\"title\":\"Pay rent\"}"},
        {"the title of task 6 is now Pay rent",
         "{\"intent\":\"update\",\"target\":{\"id\":6},\"title\":\"Pay rent\"}"},
        {"the priority of task 2 is low",
         "{\"intent\":\"update\",\"target\":{\"id\":2},\"priority\":\"low\"}"},
        {"task 3's due date is next monday",
         "{\"intent\":\"update\",\"target\":{\"id\":3},\"due\":\"2026-12-07T09:00:00-05:00\"}"},
        {"its due date is friday", "{\"intent\":\"update\",\"target\":{\"previous\":true},\"due\":"
                                   "\"2026-12-11T09:00:00-05:00\"}"},
        {"what time is it?", "{\"intent\":\"unknown\"}"},
    };
    CHECK(cases);
}

Test(nlp, a_word_said_to_be_a_tag_is_a_tag_even_if_it_is_a_priority_word)
{
    static const struct nlp_case cases[] = {
        {"add tag urgent to task 5",
         "{\"intent\":\"update\",\"tags\":[\"urgent\"],\"target\":{\"id\":5},\"priority\":null}"},
        {"add the tag high to task 2",
         "{\"intent\":\"update\",\"tags\":[\"high\"],\"target\":{\"id\":2},\"priority\":null}"},
        {"add tags urgent and important to it",
         "{\"intent\":\"update\",\"tags\":[\"urgent\",\"important\"],\"target\":{\"previous\":"
         "true},\"priority\":null}"},
        {"add label low to task 3",
         "{\"intent\":\"update\",\"tags\":[\"low\"],\"target\":{\"id\":3},\"priority\":null}"},
        {"put the tag urgent on task 5",
         "{\"intent\":\"update\",\"tags\":[\"urgent\"],\"target\":{\"id\":5},\"priority\":null}"},
        {"add urgent to task 5",
         "{\"intent\":\"update\",\"priority\":\"high\",\"target\":{\"id\":5}}"},
        {"add tag work to the report",
         "{\"intent\":\"update\",\"tags\":[\"work\"],\"target\":{\"words\":\"report\"}}"},
        {"add the tag home",
         "{\"intent\":\"update\",\"tags\":[\"home\"],\"target\":{\"previous\":true}}"},
        {"give task 5 the tag urgent",
         "{\"intent\":\"update\",\"tags\":[\"urgent\"],\"target\":{\"id\":5},\"priority\":null}"},
        {"give it the tags home and work",
         "{\"intent\":\"update\",\"tags\":[\"home\",\"work\"],\"target\":{\"previous\":true}}"},
        {"set a reminder 2 hours before for task 5",
         "{\"intent\":\"update\",\"reminders\":[{\"before\":\"PT2H\"}],\"target\":{\"id\":5}}"},
        {"set a reminder an hour before", "{\"intent\":\"update\",\"reminders\":[{\"before\":"
                                          "\"PT1H\"}],\"target\":{\"previous\":true}}"},
        {"set a reminder to stretch", "{\"intent\":\"add\",\"title\":\"Stretch\"}"},
        {"add milk to my shopping list",
         "{\"intent\":\"add\",\"title\":\"Milk to my shopping list\"}"},
    };
    CHECK(cases);
}

Test(nlp, stopping_a_task_from_repeating_clears_its_recurrence)
{
    static const struct nlp_case cases[] = {
        {"stop task 4 from repeating",
         "{\"intent\":\"update\",\"clear\":[\"recurrence\"],\"target\":{\"id\":4}}"},
        {"stop the gym task from repeating",
         "{\"intent\":\"update\",\"clear\":[\"recurrence\"],\"target\":{\"words\":\"gym\"}}"},
        {"keep it from recurring",
         "{\"intent\":\"update\",\"clear\":[\"recurrence\"],\"target\":{\"previous\":true}}"},
        {"prevent #4 from repeating again",
         "{\"intent\":\"update\",\"clear\":[\"recurrence\"],\"target\":{\"id\":4}}"},
        {"make task 4 stop repeating",
         "{\"intent\":\"update\",\"clear\":[\"recurrence\"],\"target\":{\"id\":4}}"},
        {"task 4 shouldn't repeat",
         "{\"intent\":\"update\",\"clear\":[\"recurrence\"],\"target\":{\"id\":4}}"},
        {"it should no longer repeat",
         "{\"intent\":\"update\",\"clear\":[\"recurrence\"],\"target\":{\"previous\":true}}"},
        {"the gym task should stop repeating",
         "{\"intent\":\"update\",\"clear\":[\"recurrence\"],\"target\":{\"words\":\"gym\"}}"},
        {"stop the car alarm", "{\"intent\":\"add\",\"title\":\"Stop the car alarm\"}"},
        {"no more repeating for task 3",
         "{\"intent\":\"update\",\"clear\":[\"recurrence\"],\"target\":{\"id\":3}}"},
        {"stop task 4 repeating",
         "{\"intent\":\"update\",\"clear\":[\"recurrence\"],\"target\":{\"id\":4}}"},
        {"make task 7 repeat every other friday", "{\"intent\":\"update\",\"rrule\":\"FREQ=WEEKLY;"
                                                  "INTERVAL=2;BYDAY=FR\",\"target\":{\"id\":7}}"},
        {"make it repeat every other week", "{\"intent\":\"update\",\"rrule\":\"FREQ=WEEKLY;"
                                            "INTERVAL=2\",\"target\":{\"previous\":true}}"},
        {"delete everything except work", "{\"intent\":\"unknown\"}"},
        {"keep the receipts", "{\"intent\":\"add\",\"title\":\"Keep the receipts\"}"},
    };
    CHECK(cases);
}

Test(nlp, a_lead_in_after_a_leading_date_is_no_part_of_the_title)
{
    static const struct nlp_case cases[] = {
        {"the day after tomorrow I have to return the drill",
         "{\"intent\":\"add\",\"title\":\"Return the drill\",\"due\":\"2026-12-08T09:00:00-05:"
         "00\"}"},
        {"Tomorrow remind me to buy bread",
         "{\"intent\":\"add\",\"title\":\"Buy bread\",\"due\":\"2026-12-07T09:00:00-05:00\"}"},
        {"tomorrow I need to call the plumber",
         "{\"intent\":\"add\",\"title\":\"Call the plumber\"}"},
        {"on friday remember to water the plants",
         "{\"intent\":\"add\",\"title\":\"Water the plants\",\"due\":\"2026-12-11T09:00:00-05:"
         "00\"}"},
        {"tonight don't forget to lock the shed",
         "{\"intent\":\"add\",\"title\":\"Lock the shed\"}"},
        {"Monday at 9 I have to call the bank",
         "{\"intent\":\"add\",\"title\":\"Call the bank\",\"due\":\"2026-12-07T09:00:00-05:00\"}"},
        {"tomorrow, please remind me to pay rent", "{\"intent\":\"add\",\"title\":\"Pay rent\"}"},
        {"tomorrow I want to clean the garage",
         "{\"intent\":\"add\",\"title\":\"Clean the garage\"}"},
        {"tomorrow then call mom", "{\"intent\":\"add\",\"title\":\"Then call mom\"}"},
        {"tomorrow - remind me to buy bread", "{\"intent\":\"add\",\"title\":\"Buy bread\"}"},
        {"buy milk - tomorrow", "{\"intent\":\"add\",\"title\":\"Buy milk\"}"},
        {"buy milk - 2 liters", "{\"intent\":\"add\",\"title\":\"Buy milk - 2 liters\"}"},
    };
    CHECK(cases);
}

Test(nlp, an_adverb_in_a_lead_in_is_no_part_of_the_title)
{
    static const struct nlp_case cases[] = {
        {"I should really book a dentist appointment next week",
         "{\"intent\":\"add\",\"title\":\"Book a dentist appointment\",\"due\":\"2026-12-07T09:"
         "00:00-05:00\"}"},
        {"I really should call mom", "{\"intent\":\"add\",\"title\":\"Call mom\"}"},
        {"next week I really need to renew my passport",
         "{\"intent\":\"add\",\"title\":\"Renew my passport\"}"},
        {"we definitely have to fix the fence", "{\"intent\":\"add\",\"title\":\"Fix the fence\"}"},
        {"i must seriously clean the oven", "{\"intent\":\"add\",\"title\":\"Clean the oven\"}"},
        {"I absolutely have to call the bank", "{\"intent\":\"add\",\"title\":\"Call the bank\"}"},
        {"next month I really want to learn the guitar",
         "{\"intent\":\"add\",\"title\":\"Learn the "
         "guitar\",\"due\":\"2027-01-01T09:00:00-05:00\"}"},
        {"I'd really like to visit Rome", "{\"intent\":\"add\",\"title\":\"Visit Rome\"}"},
    };
    CHECK(cases);
}

Test(nlp, the_particle_of_a_phrasal_verb_stays_in_the_title)
{
    static const struct nlp_case cases[] = {
        {"weigh in every week for 4 weeks",
         "{\"intent\":\"add\",\"title\":\"Weigh in\",\"rrule\":\"FREQ=WEEKLY;COUNT=4\"}"},
        {"check in tomorrow at 3pm", "{\"intent\":\"add\",\"title\":\"Check in\"}"},
        {"log in every day", "{\"intent\":\"add\",\"title\":\"Log in\"}"},
        {"sign in at 9", "{\"intent\":\"add\",\"title\":\"Sign in\"}"},
        {"hand in the essay on friday", "{\"intent\":\"add\",\"title\":\"Hand in the essay\"}"},
        {"call mom at", "{\"intent\":\"add\",\"title\":\"Call mom\"}"},
    };
    CHECK(cases);
}

Test(nlp, the_json_form_always_has_its_six_keys)
{
    const char *msgs[] = {"add buy milk", "show my tasks", "xyzzy", "delete task 3"};
    for (size_t i = 0; i < 4; i++) {
        json_t *o = nlp_parse_json(msgs[i], strlen(msgs[i]), NOW_MS, "UTC");
        const char *keys[] = {"intent", "title", "due", "all_day", "rrule", "from_completion"};
        for (size_t k = 0; k < 6; k++)
            cr_expect(json_object_get(o, keys[k]) != NULL, "%s: no %s", msgs[i], keys[k]);
        json_decref(o);
    }
}

Test(nlp, invalid_utf8_and_overlong_text_are_unknown)
{
    struct nlp_command c;
    cr_expect_not(nlp_parse("add \xff\xfe milk", 12, NOW_MS, "UTC", &c));
    cr_expect_eq(c.intent, NLP_UNKNOWN);
    static char big[NLP_TEXT_MAX + 2];
    memset(big, 'a', sizeof big);
    memcpy(big, "add ", 4);
    cr_expect_not(nlp_parse(big, sizeof big, NOW_MS, "UTC", &c));
    cr_expect_eq(c.intent, NLP_UNKNOWN);
    cr_expect(nlp_parse("add x\0y", 7, NOW_MS, "UTC", &c) == false || c.intent != NLP_UNKNOWN);
}

Test(nlp, ordinals_are_positions_and_ids_are_ids)
{
    struct nlp_command c;
    cr_assert(nlp_parse("complete the 2nd one", 20, NOW_MS, "UTC", &c));
    cr_expect_eq(c.target, NLP_TARGET_ID);
    cr_expect_eq(c.target_id, 2);
    cr_expect(c.target_ordinal);
    cr_assert(nlp_parse("complete task 2", 15, NOW_MS, "UTC", &c));
    cr_expect_eq(c.target_id, 2);
    cr_expect_not(c.target_ordinal);
}

Test(nlp, a_quoted_title_keeps_its_date_words)
{
    struct nlp_command c;
    const char *m = "add \"Plan Monday meeting tomorrow\"";
    cr_assert(nlp_parse(m, strlen(m), NOW_MS, "UTC", &c));
    cr_expect_str_eq(c.title, "Plan Monday meeting tomorrow");
    cr_expect_not(c.when.has_due);
}

Test(nlp, pronouns_say_one_or_several_and_times_say_whether_a_day_was_named)
{
    struct nlp_command c;
    const char *m = "delete them";
    cr_assert(nlp_parse(m, strlen(m), NOW_MS, "UTC", &c));
    cr_expect(c.target_plural);
    m = "delete it";
    cr_assert(nlp_parse(m, strlen(m), NOW_MS, "UTC", &c));
    cr_expect_not(c.target_plural);
    m = "delete the last one";
    cr_assert(nlp_parse(m, strlen(m), NOW_MS, "UTC", &c));
    cr_expect(c.target_last);
    m = "make it 7pm";
    cr_assert(nlp_parse(m, strlen(m), NOW_MS, "UTC", &c));
    cr_expect(c.due_time_only);
    m = "move it to friday at 7pm";
    cr_assert(nlp_parse(m, strlen(m), NOW_MS, "UTC", &c));
    cr_expect_not(c.due_time_only);
    m = "move it to tomorrow";
    cr_assert(nlp_parse(m, strlen(m), NOW_MS, "UTC", &c));
    cr_expect_not(c.due_time_only);
    cr_expect(c.when.all_day);
}
