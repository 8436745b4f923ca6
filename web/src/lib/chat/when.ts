// Chat's times come from the one date and time format, $lib/time/format: the time alone today, else the
// day and the time ("Yesterday at 21:40"); the full date and time in a title; "Today"/"Yesterday"/the date
// for a day's heading in the conversation.
export { dayLabel, fullTime, messageTime as shortTime, timeText } from '$lib/time/format';
