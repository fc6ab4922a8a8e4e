// A tiny Kafka admin client for deploy/local/up.sh (readiness probe) and for poking at the local
// broker by hand. The broker jars from Maven (kafka_2.13) carry no TopicCommand (that lives in the
// separate kafka-tools artifact, which pulls in Kafka Connect), so this uses kafka-clients' Admin.
//
//   java -cp '.local/kafka/libs/*:.local/kafka/tools' LocalKafkaAdmin 127.0.0.1:9092 list
//   ... LocalKafkaAdmin 127.0.0.1:9092 create <topic> [partitions=6]
//   ... LocalKafkaAdmin 127.0.0.1:9092 describe <topic>
//   ... LocalKafkaAdmin 127.0.0.1:9092 delete <topic>
//   ... LocalKafkaAdmin 127.0.0.1:9092 cluster
//
// Exit status 0 on success, 1 on a Kafka error or timeout, 2 on bad usage.
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;

public final class LocalKafkaAdmin {
  private static final long WAIT_SECONDS = 20;

  public static void main(String[] args) {
    if (args.length < 2) usage();
    if (System.getProperty("log4j.configuration") == null) quietLogging();
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
    props.put(AdminClientConfig.CLIENT_ID_CONFIG, "local-kafka-admin");
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
    props.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "1000");
    int status = 0;
    Admin admin = Admin.create(props);
    try {
      switch (args[1]) {
        case "list":
          for (String name : new TreeSet<>(admin.listTopics().names().get(WAIT_SECONDS, TimeUnit.SECONDS))) {
            System.out.println(name);
          }
          break;
        case "create": {
          if (args.length < 3) usage();
          int partitions = args.length > 3 ? Integer.parseInt(args[3]) : 6;
          admin.createTopics(List.of(new NewTopic(args[2], partitions, (short) 1))).all().get(WAIT_SECONDS, TimeUnit.SECONDS);
          System.out.println("created " + args[2] + " with " + partitions + " partitions");
          break;
        }
        case "describe": {
          if (args.length < 3) usage();
          Map<String, TopicDescription> topics =
              admin.describeTopics(List.of(args[2])).allTopicNames().get(WAIT_SECONDS, TimeUnit.SECONDS);
          TopicDescription topic = topics.get(args[2]);
          System.out.println(topic.name() + " partitions=" + topic.partitions().size() + " id=" + topic.topicId());
          break;
        }
        case "delete":
          if (args.length < 3) usage();
          admin.deleteTopics(List.of(args[2])).all().get(WAIT_SECONDS, TimeUnit.SECONDS);
          System.out.println("deleted " + args[2]);
          break;
        case "cluster": {
          DescribeClusterResult cluster = admin.describeCluster();
          System.out.println("cluster id " + cluster.clusterId().get(WAIT_SECONDS, TimeUnit.SECONDS)
              + ", nodes " + cluster.nodes().get(WAIT_SECONDS, TimeUnit.SECONDS));
          break;
        }
        default:
          usage();
      }
    } catch (Exception e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      System.err.println("LocalKafkaAdmin " + args[1] + " failed: " + cause);
      status = 1;
    } finally {
      admin.close(Duration.ofSeconds(2));
    }
    System.exit(status);
  }

  /** Without a log4j file: errors only, to stderr (the client logs every refused connection). */
  private static void quietLogging() {
    org.apache.log4j.Logger root = org.apache.log4j.Logger.getRootLogger();
    root.removeAllAppenders();
    root.addAppender(new org.apache.log4j.ConsoleAppender(
        new org.apache.log4j.PatternLayout("[%d] %p %m (%c)%n"), org.apache.log4j.ConsoleAppender.SYSTEM_ERR));
    root.setLevel(org.apache.log4j.Level.ERROR);
  }

  private static void usage() {
    System.err.println("usage: LocalKafkaAdmin <bootstrap> list | create <topic> [partitions] | describe <topic> | delete <topic> | cluster");
    System.exit(2);
  }
}
